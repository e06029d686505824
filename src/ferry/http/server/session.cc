#include "ferry/http/server/session.h"

#include <array>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/observe/log.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

struct Handled {
  Response response;
  bool must_close = false;  // the connection is out of sync (unread body) or broken
};

Response make_error(Errc code, std::string message, unsigned version) {
  return error_response(Error{code, std::move(message)}, version);
}

std::string describe(Verb method, std::string_view target) {
  std::string line(bhttp::to_string(method));
  line += ' ';
  line += target.substr(0, target.find('?'));
  return line;
}

// A response for a request whose route was refused before its body was read: routing and
// the route's guard run on the header alone. When a body follows, the connection is out of
// step and is closed after the response (see linger_and_close).
std::optional<Handled> refuse_before_body(const bhttp::request_parser<bhttp::empty_body>& parser,
                                          const Router::Match& match) {
  const auto& header = parser.get();
  const unsigned version = header.version();
  const bool unread_body = !parser.is_done();
  if (match.outcome == Router::Outcome::not_found) {
    return Handled{make_error(Errc::not_found,
                              "no route for " + describe(header.method(), header.target()),
                              version),
                   unread_body};
  }
  if (match.outcome == Router::Outcome::method_not_allowed) {
    Response response = make_error(Errc::method_not_allowed,
                                   "method " + std::string(bhttp::to_string(header.method())) +
                                       " is not allowed on this path",
                                   version);
    std::string allow;
    for (Verb v : match.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += bhttp::to_string(v);
    }
    response.set(bhttp::field::allow, allow);
    return Handled{std::move(response), unread_body};
  }
  if (match.guard != nullptr) {
    if (Status allowed = (*match.guard)(header); !allowed) {
      return Handled{error_response(allowed.error(), version), unread_body};
    }
  }
  return std::nullopt;
}

// Routes the request whose header is in `header_parser`, runs its guard, then reads the body
// and runs the handler. Never throws: a handler's exception becomes a 500.
net::awaitable<Handled> handle_one(Server::State& state, beast::tcp_stream& stream,
                                   beast::flat_buffer& buffer,
                                   bhttp::request_parser<bhttp::empty_body>& header_parser,
                                   Router::Match match, const std::string& remote) {
  if (auto refused = refuse_before_body(header_parser, match)) co_return std::move(*refused);
  const unsigned version = header_parser.get().version();
  // The header was read without a body limit (streaming routes need none): check the
  // announced length here; a chunked body is bounded by the parser's limit as it arrives.
  if (header_parser.content_length().value_or(0) > state.options.max_body_bytes) {
    co_return Handled{make_error(Errc::payload_too_large,
                                 "the request body is larger than the limit of " +
                                     std::to_string(state.options.max_body_bytes) + " bytes",
                                 version),
                      true};
  }
  bhttp::request_parser<bhttp::string_body> parser{std::move(header_parser)};
  parser.body_limit(state.options.max_body_bytes);
  boost::system::error_code ec;
  stream.expires_after(state.options.io_timeout);
  co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec == bhttp::error::body_limit) {
    co_return Handled{make_error(Errc::payload_too_large,
                                 "the request body is larger than the limit of " +
                                     std::to_string(state.options.max_body_bytes) + " bytes",
                                 version),
                      true};
  }
  if (ec) {
    co_return Handled{make_error(Errc::invalid_argument, "the request body could not be read: " +
                                                             ec.message(), version),
                      true};
  }
  Request request = parser.release();
  RequestContext context{request, std::move(match.path_params), std::move(match.rest),
                         parse_query(request.target()), remote};
  try {
    // Named first: GCC 12 miscompiles a co_await inside a braced initializer.
    Response response = co_await (*match.handler)(context);
    co_return Handled{std::move(response)};
  } catch (const std::exception& e) {
    observe::error("handler for {} failed: {}", describe(request.method(), request.target()),
                   e.what());
  }
  co_return Handled{make_error(Errc::internal, "an internal error occurred", version)};
}

struct Streamed {
  std::optional<Response> response;  // nullopt: the handler wrote its own
  bool must_close = false;
  unsigned status = 0;                // for the log line when the handler wrote
};

// Runs a streaming route. An exception becomes a 500 (and closes the connection, since the
// handler may have left it in any state).
net::awaitable<Streamed> run_stream_handler(Server::State& state, beast::tcp_stream& stream,
                                            beast::flat_buffer& buffer,
                                            bhttp::request_parser<bhttp::empty_body>& parser,
                                            Router::Match match, const std::string& remote) {
  StreamContext context{stream,
                        buffer,
                        parser,
                        std::move(match.path_params),
                        std::move(match.rest),
                        parse_query(parser.get().target()),
                        remote,
                        state.options};
  try {
    auto response = co_await (*match.stream_handler)(context);
    co_return Streamed{std::move(response), context.must_close, context.status_written};
  } catch (const std::exception& e) {
    observe::error("streaming handler failed: {}", e.what());
  }
  co_return Streamed{make_error(Errc::internal, "an internal error occurred", 11), true, 0};
}

void log_exchange(const std::string& remote, const std::string& request_line, unsigned status,
                  std::chrono::steady_clock::time_point started) {
  if (!observe::enabled(observe::Level::http)) return;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  observe::http("{} {} {} {}.{:03}ms", remote, request_line, status, micros / 1000,
                micros % 1000);
}

// How long, and how much, a lingering close reads and drops.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 1 << 20;

// Closes a connection whose client may still be sending (a body left unread after a refusal):
// closing at once would make the kernel answer that data with a reset, which can destroy the
// response before the client reads it. Half-closes, then reads and drops what arrives, for
// at most kLingerTime and kLingerBytes, so a refused upload costs the server little.
net::awaitable<void> linger_and_close(beast::tcp_stream& stream) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  std::array<char, 16 * 1024> scratch{};
  std::size_t dropped = 0;
  stream.expires_after(kLingerTime);
  while (dropped < kLingerBytes) {
    const std::size_t n = co_await stream.async_read_some(
        net::buffer(scratch), net::redirect_error(net::use_awaitable, ec));
    if (ec) break;
    dropped += n;
  }
}

bool is_quiet_end(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
         ec == beast::error::timeout || ec == net::error::connection_reset ||
         ec == net::error::eof || ec == net::error::bad_descriptor;
}

}  // namespace

net::awaitable<void> serve_session(std::shared_ptr<Server::State> state, std::size_t index,
                                   tcp::socket socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("unknown") : peer.address().to_string();
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  auto busy = std::make_shared<bool>(false);

  // Called by the stop on this worker's thread, like every step of this session.
  auto handle = state->register_session(
      index, SessionHandle{[stream, busy] {
                             if (!*busy) stream->cancel();
                           },
                           [stream] {
                             boost::system::error_code ignored;
                             stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
                             stream->socket().close(ignored);
                           }});
  struct Unregister {
    Server::State& state;
    std::size_t index;
    std::list<SessionHandle>::iterator it;
    ~Unregister() { state.unregister_session(index, it); }
  } unregister{*state, index, handle};

  beast::flat_buffer buffer;
  for (;;) {
    if (state->is_stopping()) break;
    bhttp::request_parser<bhttp::empty_body> header_parser;
    header_parser.header_limit(static_cast<std::uint32_t>(state->options.max_header_bytes));
    // No body limit yet: streaming routes (the proxy) take bodies of any size; the others
    // get max_body_bytes when their body is read (handle_one).
    header_parser.body_limit(boost::none);
    *busy = false;
    stream->expires_after(state->options.idle_timeout);
    co_await bhttp::async_read_header(*stream, buffer, header_parser,
                                      net::redirect_error(net::use_awaitable, ec));
    if (ec && is_quiet_end(ec)) break;
    *busy = true;
    const auto started = std::chrono::steady_clock::now();
    Handled handled;
    std::string request_line = "(unparsed request)";
    if (ec == bhttp::error::header_limit) {
      handled = {make_error(Errc::invalid_argument, "the request header is too large", 11), true};
      handled.response.result(StatusCode::request_header_fields_too_large);
    } else if (ec == bhttp::error::body_limit) {
      handled = {make_error(Errc::payload_too_large,
                            "the request body is larger than the limit of " +
                                std::to_string(state->options.max_body_bytes) + " bytes",
                            11),
                 true};
    } else if (ec) {
      handled = {make_error(Errc::invalid_argument, "malformed HTTP request: " + ec.message(), 11),
                 true};
    } else {
      // The parser is moved into the body reader; keep what the log line needs first.
      // Only for the access log line: not built when that level is off.
      if (observe::enabled(observe::Level::http)) {
        request_line = describe(header_parser.get().method(), header_parser.get().target());
      }
      const bool wants_keep_alive = header_parser.get().keep_alive();
      auto match = state->router->match(header_parser.get().method(), header_parser.get().target());
      if (match.stream_handler) {
        auto streamed = co_await run_stream_handler(*state, *stream, buffer, header_parser,
                                                    std::move(match), remote);
        if (!streamed.response) {
          // The handler wrote its response itself.
          log_exchange(remote, request_line, streamed.status, started);
          if (streamed.must_close || !wants_keep_alive || state->is_stopping()) break;
          continue;
        }
        handled = {std::move(*streamed.response), streamed.must_close};
      } else {
        handled = co_await handle_one(*state, *stream, buffer, header_parser, std::move(match),
                                      remote);
      }
      handled.response.keep_alive(wants_keep_alive);
    }
    Response& response = handled.response;
    const bool keep_alive = !handled.must_close && response.keep_alive() && !state->is_stopping();
    response.keep_alive(keep_alive);
    response.set(bhttp::field::server, "Ferry");
    stream->expires_after(state->options.io_timeout);
    co_await bhttp::async_write(*stream, response, net::redirect_error(net::use_awaitable, ec));
    log_exchange(remote, request_line, static_cast<unsigned>(response.result()), started);
    if (!ec && handled.must_close) {
      co_await linger_and_close(*stream);
      co_return;
    }
    if (ec || !keep_alive) break;
  }
  stream->socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace ferry::http
