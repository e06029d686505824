#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/http/client/exchange.h"
#include "ferry/proxy/forwarder.h"
#include "ferry/proxy/proxy_dependencies.h"
#include "ferry/proxy/upstream_request.h"
#include "ferry/store/types.h"

namespace ferry::proxy {

// A proxied call as its callers describe it: the /proxy route (from the client's request)
// and actions (nango:get{...}) alike, so an action's call has the proxy's exact semantics.
struct ProxyRequest {
  store::ConnectionKey key;
  http::Verb method = http::Verb::get;
  std::string method_name;  // as sent; used when method is Verb::unknown
  std::string endpoint;     // the path after /proxy/, still percent-encoded
  std::string query;        // the raw query string, without '?'
  // The caller's headers that go upstream (forward_request_headers or
  // action_request_headers), each with where it came from.
  std::vector<http::OutboundHeader> headers;
  std::string base_url_override;  // "" = the integration's base URL
  std::optional<int> retries;     // the Retries header: extra attempts allowed
  std::vector<int> retry_on;      // the Retry-On header: statuses to retry for any method
};

// One proxied call (DESIGN.md §3): the in-process pipeline every caller uses.
//   1. the integration (404 when unknown);
//   2. the URL guard on the caller's endpoint (400, before any credential is read);
//   3. the integration's deprecated_endpoints (deprecated_endpoints.h) on the endpoint as
//      sent: under deprecated_endpoint_policy `reject`, a call to one is refused with 410
//      deprecated_endpoint before any credential is read, so not even a token refresh
//      reaches the provider;
//   4. the connection's usable credentials (404 unknown connection; 424/502/504 from a
//      refresh);
//   5. placeholders resolved in the endpoint and the integration's headers and params, and
//      step 3 again on the request target they give (`reject`: 410; `warn`: the call goes
//      on, and one warn log line and its activity entry say so);
//   6. forward(): retries under the integration's `retry:` policy and the caller's Retries /
//      Retry-On, quota pauses, one forced refresh after a 401 for OAuth 2 connections.
// The caller then delivers the response (streams it to its client, or reads it whole) and
// calls record(), which writes the one activity-log entry of the call (redacted URL,
// status, duration, bytes, attempts, details.attempts, and details.warnings with the
// message and level at least warn when the call went to a deprecated endpoint).
// Per call; used by one coroutine; `deps` must outlive it.
class ProxyCall {
 public:
  ProxyCall(const ProxyDependencies& deps, ProxyRequest request);

  // Steps 1-5. Suspends. The outcome holds the response to deliver or the error.
  boost::asio::awaitable<ForwardOutcome> run(http::BodySource& body);

  // Writes the activity-log entry and the http-level log line, and counts a call that went
  // upstream in the integration's metrics (observe/ferry_metrics.h). `status` is what the
  // caller got (the upstream's, or the error's); `error_message` is "" on success.
  void record(int status, std::uint64_t bytes_in, std::uint64_t bytes_out,
              const ForwardOutcome* outcome, const std::string& error_message);

  const ProxyRequest& request() const { return request_; }

 private:
  boost::asio::awaitable<Result<http::OutboundRequest>> reauthorize();
  RetryPlan retry_plan(const http::OutboundRequest& request) const;
  // The method as the caller sent it ("GET", or the name of an unknown one).
  std::string method_text() const;
  // Errc::deprecated_endpoint when the call to `target` reaches one of the integration's
  // deprecated endpoints and its policy rejects; nullopt otherwise. Under `warn`, a
  // `resolved` target (the one sent) records the warning for record() and logs it once.
  std::optional<Error> screen_deprecated(std::string_view target, bool resolved);

  const ProxyDependencies& deps_;
  ProxyRequest request_;
  const std::chrono::steady_clock::time_point started_;
  std::string display_url_;
  std::unique_ptr<TargetPlan> plan_;
  std::string deprecation_warning_;  // "" = none
};

}  // namespace ferry::proxy
