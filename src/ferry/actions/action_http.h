#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::actions {

// One HTTP call an action makes for its connection (nango:get{...} and friends).
struct ActionRequest {
  std::string method = "GET";                                // GET, POST, PUT, PATCH, DELETE
  std::string endpoint;                                      // as for /proxy/{endpoint}
  std::vector<std::pair<std::string, std::string>> params;   // query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // sent as Nango-Proxy-<Name> would be
  std::string body;                                          // JSON text or empty
  std::optional<int> retries;                                // like the Retries header
};

struct ActionResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// How actions reach upstream APIs: the proxy's own path (guard, credentials and refresh,
// retries, rate limits, timeouts, activity log), answered whole instead of streamed.
// Thread-safe.
class ActionHttp {
 public:
  virtual ~ActionHttp() = default;
  // Errc as for the proxy: invalid_argument (guard, bad placeholder), not_found (connection),
  // deprecated_endpoint (a removed endpoint the integration rejects), upstream_auth_failed,
  // upstream_unreachable, upstream_timeout. An upstream 4xx/5xx is a successful call with
  // that status.
  virtual boost::asio::awaitable<Result<ActionResponse>> send(const store::ConnectionKey& key,
                                                              ActionRequest request) = 0;
};

}  // namespace ferry::actions
