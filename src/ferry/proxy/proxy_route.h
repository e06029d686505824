#pragma once

#include <memory>

#include "ferry/http/server/router.h"
#include "ferry/proxy/proxy_dependencies.h"

namespace ferry::proxy {

// The streaming handler of `ANY /proxy/{*endpoint}` (DESIGN.md §3):
//  1. reads Connection-Id and Provider-Config-Key (400 when missing; 404 for an unknown
//     integration);
//  2. proves the endpoint stays on the base URL (400, before any credential is read);
//  3. gets the connection's usable credentials (404 unknown connection; 424/502 from refresh);
//  4. resolves placeholders in the endpoint and the integration's headers and params;
//  5. forwards, streaming both bodies, and relays the upstream status, headers and body,
//     retrying transient failures under the integration's `retry:` policy and the caller's
//     Retries / Retry-On headers (forwarder.h, retry_policy.h; one forced refresh on a 401
//     for OAuth 2 connections);
//  6. records one activity-log entry (redacted URL, status, duration, bytes, attempts, and
//     details.attempts: [{status | error, reason, wait_ms, paused_ms}]).
// Upstream failures answer 502 (unreachable) or 504 (timeout), naming the host. A malformed
// Retries or Retry-On header is a 400.
http::StreamHandler make_proxy_handler(std::shared_ptr<const ProxyDependencies> deps);

}  // namespace ferry::proxy
