#include "ferry/http/client/fetch.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include "ferry/core/strings.h"
#include "ferry/http/client/http_client.h"
#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

struct Parsed {
  Origin origin;
  std::string target;
  std::string host_header;
};

Result<Parsed> parse_url(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty()) {
    return Error{Errc::invalid_argument, "not an http(s) URL"};
  }
  Parsed out;
  out.origin.tls = parsed->scheme() == "https";
  out.origin.host = parsed->host_address();
  out.origin.port = parsed->has_port() ? parsed->port_number() : (out.origin.tls ? 443 : 80);
  out.target = std::string(parsed->encoded_path());
  if (out.target.empty()) out.target = "/";
  if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());
  out.host_header = std::string(parsed->encoded_host_and_port());
  return out;
}

template <class Stream>
net::awaitable<boost::system::error_code> exchange(Stream& stream, UpstreamConnection& connection,
                                                   const FetchRequest& request,
                                                   const Parsed& parsed,
                                                   bhttp::response_parser<bhttp::string_body>& parser) {
  bhttp::request<bhttp::string_body> message{request.method, parsed.target, 11};
  message.set(bhttp::field::host, parsed.host_header);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  boost::system::error_code ec;
  connection.tcp().expires_after(request.timeout);
  co_await bhttp::async_write(stream, message, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return ec;
  parser.body_limit(request.max_response_bytes);
  co_await bhttp::async_read(stream, connection.buffer(), parser,
                             net::redirect_error(net::use_awaitable, ec));
  co_return ec;
}

}  // namespace

std::string FetchResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

net::awaitable<Result<FetchResponse>> fetch(HttpClient& client, FetchRequest request) {
  auto parsed = parse_url(request.url);
  if (!parsed) co_return parsed.error();
  for (int attempt = 0;; ++attempt) {
    auto connection = co_await client.acquire(parsed->origin, request.timeout);
    if (!connection) co_return connection.error();
    bhttp::response_parser<bhttp::string_body> parser;
    auto ec = co_await (*connection)->visit([&](auto& stream) {
      return exchange(stream, **connection, request, *parsed, parser);
    });
    if (ec) {
      // A pooled connection closed by the server while idle: once more on a fresh one.
      if (attempt == 0 && (*connection)->reused() &&
          (ec == bhttp::error::end_of_stream || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::eof)) {
        continue;
      }
      if (ec == beast::error::timeout) {
        co_return Error{Errc::upstream_timeout, parsed->origin.host + " did not answer in time"};
      }
      co_return Error{Errc::upstream_unreachable,
                      "request to " + parsed->origin.host + " failed: " + ec.message()};
    }
    FetchResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    const bool keep_alive = parser.get().keep_alive();
    response.body = std::move(parser.get().body());
    if (keep_alive) client.release(std::move(*connection));
    co_return response;
  }
}

}  // namespace ferry::http
