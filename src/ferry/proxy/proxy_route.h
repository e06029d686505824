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
//  5. forwards, streaming both bodies, and relays the upstream status, headers and body;
//  6. records one activity-log entry (redacted URL, status, duration, bytes, attempts).
// Upstream failures answer 502 (unreachable) or 504 (timeout), naming the host.
http::StreamHandler make_proxy_handler(std::shared_ptr<const ProxyDependencies> deps);

}  // namespace ferry::proxy
