#include "ferry/actions/proxy_action_http.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include "ferry/core/strings.h"
#include "ferry/core/url_encoding.h"
#include "ferry/http/json.h"
#include "ferry/proxy/forward_headers.h"
#include "ferry/proxy/proxy_call.h"

namespace ferry::actions {

namespace net = boost::asio;

namespace {

// The action's request as the proxy pipeline takes it. The endpoint is written by a script
// and may hold what a request target cannot carry raw (the braces of ${placeholders},
// spaces): those are percent-encoded, which the placeholder syntax and the guard expect.
Result<proxy::ProxyRequest> proxy_request(const store::ConnectionKey& key,
                                          ActionRequest& request) {
  proxy::ProxyRequest out;
  out.key = key;
  out.method = http::bhttp::string_to_verb(request.method);
  if (out.method == http::Verb::unknown) {
    return Error{Errc::invalid_argument, "unsupported HTTP method " + request.method};
  }
  std::string target = encode_target_chars(request.endpoint);
  if (auto q = target.find('?'); q != std::string::npos) {
    out.query = target.substr(q + 1);
    target.resize(q);
  }
  out.endpoint = std::move(target);
  for (const auto& [name, value] : request.params) append_query_param(out.query, name, value);
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "Content-Type")) has_content_type = true;
  }
  if (!request.body.empty() && !has_content_type) {
    request.headers.emplace_back("Content-Type", "application/json");
  }
  out.headers = proxy::action_request_headers(request.headers);
  out.retries = request.retries;
  return out;
}

}  // namespace

ProxyActionHttp::ProxyActionHttp(std::shared_ptr<const proxy::ProxyDependencies> deps,
                                 std::size_t max_response_bytes)
    : deps_(std::move(deps)), max_response_bytes_(max_response_bytes) {}

net::awaitable<Result<ActionResponse>> ProxyActionHttp::send(const store::ConnectionKey& key,
                                                             ActionRequest request) {
  auto proxied = proxy_request(key, request);
  if (!proxied) co_return proxied.error();
  proxy::ProxyCall call(*deps_, std::move(*proxied));
  http::BufferedBody body(std::move(request.body));
  const std::uint64_t bytes_in = body.bytes().size();
  proxy::ForwardOutcome outcome = co_await call.run(body);
  if (outcome.error) {
    const Error error = *outcome.error;
    call.record(static_cast<int>(http::http_status(error.code)), bytes_in, 0, &outcome,
                error.message);
    co_return error;
  }
  ActionResponse out;
  out.status = outcome.response->status();
  for (const auto& field : outcome.response->head()) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  auto whole = co_await outcome.response->read_all(max_response_bytes_);
  if (!whole) {
    call.record(static_cast<int>(http::http_status(whole.error().code)), bytes_in, 0, &outcome,
                whole.error().message);
    co_return whole.error();
  }
  out.body = std::move(*whole);
  call.record(out.status, bytes_in, out.body.size(), &outcome, "");
  co_return out;
}

}  // namespace ferry::actions
