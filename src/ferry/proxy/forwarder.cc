#include "ferry/proxy/forwarder.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/string_body.hpp>
#include <set>

#include "ferry/core/strings.h"
#include "ferry/http/client/http_client.h"
#include "ferry/http/client/upstream_connection.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/proxy/relay.h"

namespace ferry::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;
using ResponseParser = bhttp::response_parser<bhttp::buffer_body>;

namespace {

// "No timeout" still needs a bound for Beast's timer; a day is beyond any sane request.
Clock::duration effective(Clock::duration timeout) {
  return timeout.count() > 0 ? timeout : std::chrono::hours(24);
}

Error transport_error(const boost::system::error_code& ec, std::string_view step,
                      const http::Origin& origin) {
  if (ec == beast::error::timeout) {
    return Error{Errc::upstream_timeout,
                 "upstream " + origin.host + " did not answer in time (" + std::string(step) + ")"};
  }
  return Error{Errc::upstream_unreachable, "upstream " + origin.host + " failed while " +
                                               std::string(step) + ": " + ec.message()};
}

// A failure a closed keep-alive connection produces before any answer byte.
bool is_stale_connection_error(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

template <class Fields>
void set_upstream_headers(Fields& fields, const UpstreamCall& call) {
  fields.set(bhttp::field::host, call.host_header);
  for (const auto& [name, value] : call.headers) fields.insert(name, value);
}

template <class Stream>
net::awaitable<boost::system::error_code> write_buffered(Stream& stream,
                                                         http::UpstreamConnection& connection,
                                                         const UpstreamCall& call,
                                                         const std::string& body) {
  bhttp::request<bhttp::string_body> request{call.method, call.target, 11};
  if (call.method == http::Verb::unknown) request.method_string(call.method_string);
  set_upstream_headers(request, call);
  request.body() = body;
  // Content-Length for a body (or for methods that expect one); none for an empty GET.
  request.prepare_payload();
  boost::system::error_code ec;
  connection.tcp().expires_after(effective(call.attempt_timeout));
  co_await bhttp::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  co_return ec;
}

// Relays the client's body upstream as it arrives. The client's parser message is reused as
// the upstream request: same body framing (Content-Length or chunked), our header fields.
template <class Stream>
net::awaitable<RelayResult> write_streaming(Stream& stream, const UpstreamCall& call,
                                            http::StreamContext& ctx) {
  bhttp::request_parser<bhttp::buffer_body> in{std::move(ctx.parser)};
  in.body_limit(boost::none);
  auto& message = in.get();
  const bool chunked = message.chunked();
  const auto length = in.content_length();
  for (auto it = message.begin(); it != message.end();) it = message.erase(it);
  message.method(call.method);
  if (call.method == http::Verb::unknown) message.method_string(call.method_string);
  message.target(call.target);
  message.version(11);
  set_upstream_headers(message, call);
  if (chunked) {
    message.chunked(true);
  } else if (length) {
    message.content_length(*length);
  }
  bhttp::request_serializer<bhttp::buffer_body> serializer{message};
  const auto timeout = effective(call.attempt_timeout);
  co_return co_await relay_body(ctx.stream, ctx.buffer, in, stream, serializer,
                                ctx.options.io_timeout, timeout);
}

template <class Stream>
net::awaitable<boost::system::error_code> read_head(Stream& stream,
                                                    http::UpstreamConnection& connection,
                                                    const UpstreamCall& call,
                                                    ResponseParser& parser) {
  parser.body_limit(boost::none);
  // A HEAD answer announces a body it does not send.
  if (call.method == http::Verb::head) parser.skip(true);
  boost::system::error_code ec;
  connection.tcp().expires_after(effective(call.attempt_timeout));
  co_await bhttp::async_read_header(stream, connection.buffer(), parser,
                                    net::redirect_error(net::use_awaitable, ec));
  co_return ec;
}

// Upstream headers go back unchanged except hop-by-hop ones; the body framing
// (Content-Length or chunked) is kept because the body is relayed as it comes.
void prepare_client_response(bhttp::response<bhttp::buffer_body>& response, bool keep_alive,
                             unsigned version) {
  std::set<std::string> named;
  for (auto it = response.find(bhttp::field::connection);
       it != response.end() && it->name() == bhttp::field::connection; ++it) {
    for (const auto& token : split(std::string_view(it->value().data(), it->value().size()), ',')) {
      named.insert(to_lower(trim(token)));
    }
  }
  for (auto it = response.begin(); it != response.end();) {
    std::string_view name(it->name_string().data(), it->name_string().size());
    const bool framing = iequals(name, "Transfer-Encoding") || iequals(name, "Content-Length");
    if (!framing && (is_hop_by_hop(name) || named.count(to_lower(name)))) {
      it = response.erase(it);
    } else {
      ++it;
    }
  }
  response.version(version);
  response.keep_alive(keep_alive);
}

template <class Stream>
net::awaitable<RelayResult> relay_response(Stream& stream, http::UpstreamConnection& connection,
                                           const UpstreamCall& call, ResponseParser& parser,
                                           http::StreamContext& ctx, bool keep_alive,
                                           unsigned version) {
  prepare_client_response(parser.get(), keep_alive, version);
  bhttp::response_serializer<bhttp::buffer_body> serializer{parser.get()};
  co_return co_await relay_body(stream, connection.buffer(), parser, ctx.stream, serializer,
                                effective(call.attempt_timeout), ctx.options.io_timeout);
}

}  // namespace

net::awaitable<ForwardOutcome> forward(http::HttpClient& client, const UpstreamCall& call,
                                       ClientRequest& body, http::StreamContext& ctx) {
  ForwardOutcome outcome;
  const bool client_keep_alive = body.keep_alive;
  const unsigned client_version = body.version;
  std::unique_ptr<http::UpstreamConnection> connection;
  auto parser = std::make_unique<ResponseParser>();
  for (;;) {
    ++outcome.attempts;
    auto acquired = co_await client.acquire(call.origin, effective(call.attempt_timeout));
    if (!acquired) {
      outcome.error = acquired.error();
      co_return outcome;
    }
    connection = std::move(*acquired);
    boost::system::error_code ec;
    std::string_view step = "sending the request";
    if (body.streaming) {
      auto sent = co_await connection->visit(
          [&](auto& stream) { return write_streaming(stream, call, ctx); });
      outcome.bytes_in = sent.bytes;
      if (sent.failure == RelayFailure::read) {
        // The client stopped sending its body: nothing sensible can go upstream or back.
        outcome.connection_broken = true;
        outcome.error = Error{Errc::invalid_argument, "the request body could not be read"};
        co_return outcome;
      }
      ec = sent.error;
    } else {
      ec = co_await connection->visit(
          [&](auto& stream) { return write_buffered(stream, *connection, call, body.buffered); });
      outcome.bytes_in = body.buffered.size();
    }
    if (!ec) {
      step = "reading the response";
      parser = std::make_unique<ResponseParser>();
      ec = co_await connection->visit(
          [&](auto& stream) { return read_head(stream, *connection, call, *parser); });
    }
    if (!ec) break;
    // A pooled connection the server closed while idle: try once more on a new one.
    if (connection->reused() && !body.streaming && is_stale_connection_error(ec)) continue;
    outcome.error = transport_error(ec, step, call.origin);
    if (body.streaming) outcome.connection_broken = true;
    co_return outcome;
  }

  const bool upstream_keep_alive = parser->get().keep_alive();
  outcome.status = static_cast<int>(parser->get().result_int());
  outcome.response_started = true;
  ctx.status_written = static_cast<unsigned>(outcome.status);
  auto relayed = co_await connection->visit([&](auto& stream) {
    return relay_response(stream, *connection, call, *parser, ctx, client_keep_alive,
                          client_version);
  });
  outcome.bytes_out = relayed.bytes;
  if (relayed.failure != RelayFailure::none) {
    // Part of the response may have gone out: the client connection cannot be trusted.
    outcome.connection_broken = true;
    co_return outcome;
  }
  if (upstream_keep_alive && parser->is_done()) client.release(std::move(connection));
  co_return outcome;
}

}  // namespace ferry::proxy
