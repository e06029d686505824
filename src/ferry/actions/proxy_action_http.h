#pragma once

#include <cstddef>
#include <memory>

#include "ferry/actions/action_http.h"

namespace ferry::proxy {
struct ProxyDependencies;
}

namespace ferry::actions {

// ActionHttp through the proxy's own pipeline, in process (proxy/proxy_call.h): the URL
// guard, credentials and refresh, the 401 retry, retries and rate-limit pauses, timeouts and
// the activity log are exactly the proxy's, with no socket to Ferry itself. The answer is
// read whole (up to max_response_bytes). Errors keep their Errc: the guard's
// invalid_argument, not_found, deprecated_endpoint, upstream_auth_failed,
// upstream_unreachable, upstream_timeout.
// Thread-safe.
class ProxyActionHttp final : public ActionHttp {
 public:
  explicit ProxyActionHttp(std::shared_ptr<const proxy::ProxyDependencies> deps,
                           std::size_t max_response_bytes = 64 * 1024 * 1024);

  boost::asio::awaitable<Result<ActionResponse>> send(const store::ConnectionKey& key,
                                                      ActionRequest request) override;

 private:
  std::shared_ptr<const proxy::ProxyDependencies> deps_;
  const std::size_t max_response_bytes_;
};

}  // namespace ferry::actions
