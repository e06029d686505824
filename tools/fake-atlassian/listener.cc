#include "listener.h"

// <utility> before Asio: its coroutine headers need std::exchange.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <optional>

#include "ferry/http/json.h"

namespace ferry::fake_atlassian {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct Listener::Impl {
  Impl(net::io_context& ioc, std::shared_ptr<const http::Router> r, std::shared_ptr<State> s,
       bool v)
      : acceptor(ioc), router(std::move(r)), state(std::move(s)), verbose(v) {}

  tcp::acceptor acceptor;  // used on its own executor only
  const std::shared_ptr<const http::Router> router;
  const std::shared_ptr<State> state;
  const bool verbose;
  unsigned short port = 0;
};

namespace {

constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;
constexpr std::chrono::seconds kIdleTimeout{120};
constexpr std::chrono::seconds kIoTimeout{120};

struct Reply {
  http::Response response;
  bool drop = false;  // close the connection instead of answering
};

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool is_admin(std::string_view path) { return path.rfind("/__admin/", 0) == 0; }

net::awaitable<void> pause(std::chrono::milliseconds delay) {
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_after(delay);
  boost::system::error_code ec;
  co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
}

// Unknown routes answer in the gateway's own error shape.
http::Response gateway_error(http::StatusCode status, std::string message, unsigned version) {
  return http::json_response(status, {{"code", static_cast<int>(status)}, {"message", message}},
                             version);
}

net::awaitable<http::Response> route(Listener::Impl& impl, http::Request& request,
                                     const std::string& remote) {
  auto match = impl.router->match(request.method(), request.target());
  const unsigned version = request.version();
  if (match.outcome == http::Router::Outcome::not_found) {
    co_return gateway_error(http::StatusCode::not_found, "Not Found", version);
  }
  if (match.outcome == http::Router::Outcome::method_not_allowed) {
    auto response = gateway_error(http::StatusCode::method_not_allowed, "Method Not Allowed", version);
    std::string allow;
    for (auto verb : match.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += bhttp::to_string(verb);
    }
    response.set(bhttp::field::allow, allow);
    co_return response;
  }
  http::RequestContext context{request, std::move(match.path_params), std::move(match.rest),
                               http::parse_query(request.target()), remote};
  std::string failure;
  try {
    http::Response response = co_await (*match.handler)(context);
    co_return response;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  co_return gateway_error(http::StatusCode::internal_server_error, "handler failed: " + failure,
                          version);
}

// Counts the request, applies the first matching fault, else routes it.
net::awaitable<Reply> answer(Listener::Impl& impl, http::Request& request,
                             const std::string& remote) {
  const std::string path(path_of(request.target()));
  const std::string method(request.method_string());
  std::optional<FaultRule> fault;
  if (!is_admin(path)) {
    fault = impl.state->locked([&](Shared& s) {
      count_request(s.stats, path);
      return take_fault(s.faults, method, path);
    });
  }
  if (fault) {
    if (fault->delay.count() > 0) co_await pause(fault->delay);
    switch (fault->action) {
      case FaultAction::drop:
        co_return Reply{http::Response{}, true};
      case FaultAction::status:
      case FaultAction::rate_limit: {
        const TimePoint now = impl.state->locked([](Shared& s) { return s.now(); });
        co_return Reply{fault_response(*fault, now, request.version())};
      }
      case FaultAction::delay:
        break;
    }
  }
  // Named first: GCC 12 mis-destroys a co_await result used inside a braced initializer.
  http::Response response = co_await route(impl, request, remote);
  co_return Reply{std::move(response)};
}

// A reset, not an orderly close: linger 0 makes close() send RST, which clients see as
// "connection reset by peer" (or EOF when they were not reading yet).
void reset_connection(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(net::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

void finish(http::Response& response, bool keep_alive) {
  const auto code = response.result();
  if (bhttp::to_status_class(code) == bhttp::status_class::informational ||
      code == http::StatusCode::no_content || code == http::StatusCode::not_modified) {
    response.body().clear();  // these statuses cannot carry a body
  }
  response.set(bhttp::field::server, "AtlassianEdge");
  response.keep_alive(keep_alive);
  response.prepare_payload();
}

net::awaitable<void> serve_session(std::shared_ptr<Listener::Impl> impl, tcp::socket socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("unknown") : peer.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kIdleTimeout);
    co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) break;  // peer closed, idle timeout or a malformed request: just close
    http::Request request = parser.release();
    Reply reply = co_await answer(*impl, request, remote);
    if (impl->verbose) {
      std::fprintf(stderr, "%s %s %s\n", std::string(request.method_string()).c_str(),
                   std::string(request.target()).c_str(),
                   reply.drop ? "dropped" : std::to_string(reply.response.result_int()).c_str());
    }
    if (reply.drop) {
      reset_connection(stream.socket());
      co_return;
    }
    finish(reply.response, request.keep_alive());
    stream.expires_after(kIoTimeout);
    co_await bhttp::async_write(stream, reply.response,
                                net::redirect_error(net::use_awaitable, ec));
    if (ec || !reply.response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> accept_loop(std::shared_ptr<Listener::Impl> impl) {
  for (;;) {
    auto strand = net::make_strand(impl->acceptor.get_executor());
    boost::system::error_code ec;
    tcp::socket socket =
        co_await impl->acceptor.async_accept(strand, net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !impl->acceptor.is_open()) co_return;
    if (ec) continue;  // out of descriptors and the like: keep the connections we have
    net::co_spawn(strand, serve_session(impl, std::move(socket)), net::detached);
  }
}

}  // namespace

Result<std::shared_ptr<Listener>> Listener::start(net::io_context& ioc, const std::string& address,
                                                  unsigned short port,
                                                  std::shared_ptr<const http::Router> router,
                                                  std::shared_ptr<State> state, bool verbose) {
  boost::system::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return Error{Errc::invalid_argument, "\"" + address + "\" is not an IP address"};
  auto impl = std::make_shared<Impl>(ioc, std::move(router), std::move(state), verbose);
  const tcp::endpoint endpoint{ip, port};
  auto failed = [&](const char* step) {
    return Error{Errc::unavailable, std::string("cannot ") + step + " " + address + ":" +
                                        std::to_string(port) + ": " + ec.message()};
  };
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(endpoint, ec);
  if (ec) return failed("bind");
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen on");
  impl->port = impl->acceptor.local_endpoint().port();
  net::co_spawn(impl->acceptor.get_executor(), accept_loop(impl), net::detached);
  return std::shared_ptr<Listener>(new Listener(std::move(impl)));
}

Listener::Listener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() = default;

unsigned short Listener::port() const { return impl_->port; }

void Listener::stop() {
  auto impl = impl_;
  net::post(impl->acceptor.get_executor(), [impl] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

}  // namespace ferry::fake_atlassian
