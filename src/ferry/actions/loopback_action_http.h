#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ferry/actions/action_http.h"

namespace ferry::http {
class HttpClient;
}

namespace ferry::actions {

// ActionHttp through this server's own `/proxy` route over loopback, so an action's call
// takes exactly the proxy's path: the URL guard, credentials and refresh, retries, rate-limit
// pauses, timeouts and the activity log. The extra hop costs a loopback round trip, small
// next to an upstream API call. Errors Ferry itself produced (the answer carries
// X-Ferry-Error) come back as their Errc; upstream answers of any status are returned.
// Thread-safe.
class LoopbackActionHttp : public ActionHttp {
 public:
  LoopbackActionHttp(std::shared_ptr<http::HttpClient> client, std::string secret_key);

  // The server's address, known once it listens. Calls before that fail with
  // Errc::unavailable.
  void set_listening(std::string host, unsigned short port);

  boost::asio::awaitable<Result<ActionResponse>> send(const store::ConnectionKey& key,
                                                      ActionRequest request) override;

 private:
  std::shared_ptr<http::HttpClient> client_;
  const std::string secret_key_;
  std::string host_;                       // written once before serving starts
  std::atomic<unsigned short> port_{0};
};

}  // namespace ferry::actions
