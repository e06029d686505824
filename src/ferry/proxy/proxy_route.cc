#include "ferry/proxy/proxy_route.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/proxy/client_relay.h"
#include "ferry/proxy/control_headers.h"
#include "ferry/proxy/proxy_call.h"

namespace ferry::proxy {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

HeaderViews inbound_headers(const http::StreamContext& ctx) {
  HeaderViews headers;
  for (const auto& field : ctx.parser.get()) {
    headers.emplace_back(view(field.name_string()), view(field.value()));
  }
  return headers;
}

std::string_view raw_query(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// Whether the caller's request carries a body that is still unread.
bool has_unread_body(const http::StreamContext& ctx) {
  const auto& parser = ctx.parser;
  if (parser.is_done()) return false;
  return parser.get().chunked() || parser.content_length().value_or(0) > 0;
}

// Reads a body small enough to keep, so an attempt can be repeated.
net::awaitable<Result<std::string>> read_buffered_body(http::StreamContext& ctx,
                                                       std::size_t limit) {
  bhttp::request_parser<bhttp::string_body> parser{std::move(ctx.parser)};
  parser.body_limit(limit);
  boost::system::error_code ec;
  ctx.stream.expires_after(ctx.options.io_timeout);
  co_await bhttp::async_read(ctx.stream, ctx.buffer, parser,
                             net::redirect_error(net::use_awaitable, ec));
  if (ec)
    co_return Error{Errc::invalid_argument, "the request body could not be read: " + ec.message()};
  co_return std::move(parser.get().body());
}

// The call as the client asked for it. Errc::invalid_argument for a malformed Retries or
// Retry-On header, or a missing Connection-Id / Provider-Config-Key.
Result<ProxyRequest> read_request(const http::StreamContext& ctx) {
  const HeaderViews inbound = inbound_headers(ctx);
  auto control = read_control_headers(inbound);
  if (!control) return control.error();
  const auto& message = ctx.parser.get();
  ProxyRequest request;
  request.key = {std::move(control->provider_config_key), std::move(control->connection_id)};
  request.method = message.method();
  if (request.method == http::Verb::unknown) {
    request.method_name = std::string(view(message.method_string()));
  }
  request.endpoint = ctx.rest;
  request.query = std::string(raw_query(view(message.target())));
  request.headers = forward_request_headers(inbound);
  request.base_url_override = std::move(control->base_url_override);
  request.retries = control->retries;
  request.retry_on = std::move(control->retry_on);
  return request;
}

// Answers `error` to the client and records the call.
http::Response refuse(ProxyCall& call, const Error& error, unsigned version,
                      const ForwardOutcome* outcome, std::uint64_t bytes_in) {
  auto response = http::error_response(error, version);
  if (outcome && outcome->retries_exhausted) response.set(kRetriesExhaustedHeader, "true");
  if (outcome && outcome->not_replayable) response.set(kRetryHeader, "not-replayable");
  call.record(static_cast<int>(response.result_int()), bytes_in, 0, outcome, error.message);
  return response;
}

net::awaitable<std::optional<http::Response>> handle(const ProxyDependencies& deps,
                                                     http::StreamContext& ctx) {
  const unsigned version = ctx.parser.get().version();
  ClientSide client;
  client.keep_alive = ctx.parser.get().keep_alive();
  client.version = version;
  client.head_request = ctx.parser.get().method() == http::Verb::head;
  auto request = read_request(ctx);
  if (!request) {
    // The body was not read: the connection cannot carry another request.
    if (has_unread_body(ctx)) ctx.must_close = true;
    co_return http::error_response(request.error(), version);
  }
  ProxyCall call(deps, std::move(*request));

  // Small bodies are held whole, so an attempt can be repeated; large or chunked ones
  // stream from the client and are sent once.
  const auto length = ctx.parser.content_length();
  const bool streaming =
      ctx.parser.get().chunked() || length.value_or(0) > deps.replayable_body_bytes;
  std::unique_ptr<http::BodySource> body;
  ClientBody* streamed = nullptr;
  if (streaming) {
    auto client_body = std::make_unique<ClientBody>(ctx);
    streamed = client_body.get();
    body = std::move(client_body);
  } else if (length.value_or(0) > 0) {
    auto read = co_await read_buffered_body(ctx, deps.replayable_body_bytes);
    if (!read) {
      ctx.must_close = true;
      co_return refuse(call, read.error(), version, nullptr, 0);
    }
    body = std::make_unique<http::BufferedBody>(std::move(*read));
  } else {
    body = std::make_unique<http::BufferedBody>();
  }
  auto bytes_in = [&] {
    return streamed ? streamed->bytes_read() : body->length().value_or(0);
  };

  ForwardOutcome outcome = co_await call.run(*body);
  // A streamed body not read to its end leaves the connection out of step.
  if (streamed && !streamed->complete()) ctx.must_close = true;
  if (outcome.error) {
    if (outcome.body_unreadable) ctx.must_close = true;
    co_return refuse(call, *outcome.error, version, &outcome, bytes_in());
  }
  const RelayMarks marks{outcome.retries_exhausted, outcome.not_replayable};
  auto relayed = co_await relay_to_client(*outcome.response, ctx, client, marks);
  if (relayed.error_before_start) {
    co_return refuse(call, *relayed.error_before_start, version, &outcome, bytes_in());
  }
  if (relayed.must_close) ctx.must_close = true;
  ctx.status_written = static_cast<unsigned>(relayed.status);
  call.record(relayed.status, bytes_in(), relayed.bytes, &outcome, "");
  co_return std::nullopt;
}

}  // namespace

http::StreamHandler make_proxy_handler(std::shared_ptr<const ProxyDependencies> deps) {
  return [deps](http::StreamContext& ctx) -> net::awaitable<std::optional<http::Response>> {
    co_return co_await handle(*deps, ctx);
  };
}

}  // namespace ferry::proxy
