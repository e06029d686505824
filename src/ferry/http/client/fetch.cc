#include "ferry/http/client/fetch.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)


#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"
#include "ferry/http/client/body_source.h"
#include "ferry/http/client/exchange.h"

namespace ferry::http {

namespace net = boost::asio;

Result<OutboundRequest> outbound_request_for(std::string_view url) {
  auto parsed = ferry::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty()) {
    return Error{Errc::invalid_argument, "not an http(s) URL"};
  }
  OutboundRequest out;
  out.origin.tls = parsed->scheme() == "https";
  out.origin.host = parsed->host_address();
  out.origin.port = parsed->has_port() ? parsed->port_number() : (out.origin.tls ? 443 : 80);
  out.target = std::string(parsed->encoded_path());
  if (out.target.empty()) out.target = "/";
  if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());
  out.host_header = std::string(parsed->encoded_host_and_port());
  return out;
}

std::string FetchResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

net::awaitable<Result<FetchResponse>> fetch(Exchange& exchange, FetchRequest request) {
  auto outbound = outbound_request_for(request.url);
  if (!outbound) co_return outbound.error();
  outbound->method = request.method;
  outbound->headers = std::move(request.headers);
  outbound->timeout = request.timeout;
  BufferedBody body(std::move(request.body));
  auto sent = co_await exchange.send(*outbound, body);
  if (!sent) co_return sent.failure->error;
  FetchResponse response;
  response.status = sent.response->status();
  for (const auto& field : sent.response->head()) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  auto whole = co_await sent.response->read_all(request.max_response_bytes);
  if (!whole) co_return whole.error();
  response.body = std::move(*whole);
  co_return response;
}

}  // namespace ferry::http
