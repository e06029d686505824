#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/proxy/forward_headers.h"
#include "ferry/proxy/forwarder.h"
#include "ferry/proxy/upstream_target.h"
#include "ferry/store/types.h"

namespace ferry::proxy {

// The base URL a call goes to and the proof that the caller's endpoint stays on it.
struct TargetPlan {
  BaseUrl base;
  std::string display_url;  // base + endpoint as sent (placeholders unresolved) + query
};

// Checks the caller's endpoint (still percent-encoded, placeholders unresolved) and query
// against the integration's base URL, or `base_override` when not empty. Reads no
// credential. Errc::invalid_argument when the base is not an http(s) URL or the endpoint
// could leave it (upstream_target.h lists the rules).
Result<TargetPlan> plan_target(const config::Integration& integration,
                               std::string_view base_override, std::string_view endpoint,
                               std::string_view query);

// The upstream request for one connection: placeholders resolved in the endpoint (each value
// encoded as one path segment), the integration's params appended to the query, its headers
// added to `forwarded` (replacing same-named ones). Errc::invalid_argument naming a
// placeholder without a value, or an endpoint that resolves to something the guard rejects.
Result<UpstreamCall> build_call(const config::Integration& integration, const TargetPlan& plan,
                                const store::Connection& connection, HeaderList forwarded,
                                std::string_view endpoint, std::string_view query,
                                std::chrono::seconds timeout);

// "Name: value, ..." for a debug log line; values of the integration's own headers (where
// credentials are injected) are shown as [REDACTED], the rest go through observe::redact.
std::string describe_headers(const HeaderList& headers, const config::Integration& integration);

}  // namespace ferry::proxy
