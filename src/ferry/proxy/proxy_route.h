#pragma once

#include <memory>

#include "ferry/http/server/router.h"
#include "ferry/proxy/proxy_dependencies.h"

namespace ferry::proxy {

// The streaming handler of `ANY /proxy/{*endpoint}` (DESIGN.md §3), an adapter around the
// in-process pipeline (proxy_call.h): it reads the control headers (400 when Connection-Id or
// Provider-Config-Key is missing, or Retries / Retry-On is malformed), hands the caller's body
// over (held whole when small enough to be sent again, streamed otherwise), runs the call, and
// relays the answer (client_relay.h) or answers the call's error: 400 guard or header, 404
// unknown integration or connection, 424 refused refresh, 502 unreachable, 504 timeout.
http::StreamHandler make_proxy_handler(std::shared_ptr<const ProxyDependencies> deps);

}  // namespace ferry::proxy
