#include "ferry/http/server/server.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <list>
#include <mutex>

#include "ferry/http/server/session.h"
#include "ferry/observe/log.h"

namespace ferry::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Server::State::State(net::io_context& ioc, ServerOptions opts, std::shared_ptr<const Router> r)
    : io_context(ioc), options(std::move(opts)), router(std::move(r)), acceptor(ioc) {}

std::list<SessionHandle>::iterator Server::State::register_session(SessionHandle handle) {
  std::lock_guard lock(mutex);
  return sessions.insert(sessions.end(), std::move(handle));
}

void Server::State::unregister_session(std::list<SessionHandle>::iterator it) {
  std::function<void()> done;
  {
    std::lock_guard lock(mutex);
    sessions.erase(it);
    if (stopping && sessions.empty() && on_stopped) done = std::exchange(on_stopped, nullptr);
  }
  if (done) net::post(io_context, std::move(done));
}

namespace {

net::awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
  for (;;) {
    // The new connection gets its own strand: its steps never overlap.
    auto strand = net::make_strand(state->io_context);
    boost::system::error_code ec;
    tcp::socket socket = co_await state->acceptor.async_accept(
        strand, net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !state->acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: log and keep serving the connections we have.
      observe::warn("accept failed: {}", ec.message());
      continue;
    }
    net::co_spawn(strand, serve_session(state, std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        observe::error("session ended by an unexpected exception: {}", ex.what());
      }
    });
  }
}

}  // namespace

Result<std::shared_ptr<Server>> Server::listen(net::io_context& ioc, ServerOptions options,
                                               std::shared_ptr<const Router> router) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    return Error{Errc::invalid_argument,
                 "listen address \"" + options.address + "\" is not an IP address"};
  }
  auto state = std::make_shared<State>(ioc, std::move(options), std::move(router));
  tcp::endpoint endpoint{address, state->options.port};
  auto bind_error = [&](std::string_view step) {
    return Error{Errc::unavailable, "cannot " + std::string(step) + " " + address.to_string() +
                                        ":" + std::to_string(endpoint.port()) + ": " +
                                        ec.message()};
  };
  state->acceptor.open(endpoint.protocol(), ec);
  if (ec) return bind_error("open");
  state->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  state->acceptor.bind(endpoint, ec);
  if (ec) return bind_error("bind");
  state->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return bind_error("listen on");
  state->port = state->acceptor.local_endpoint().port();
  net::co_spawn(state->acceptor.get_executor(), accept_loop(state), net::detached);
  return std::shared_ptr<Server>(new Server(std::move(state)));
}

Server::Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
Server::~Server() = default;

unsigned short Server::port() const { return state_->port; }

void Server::stop(std::function<void()> done) {
  auto state = state_;
  net::post(state->acceptor.get_executor(), [state, done = std::move(done)]() mutable {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    std::vector<SessionHandle> idle;
    {
      std::lock_guard lock(state->mutex);
      if (state->stopping) return;
      state->stopping = true;
      if (state->sessions.empty()) {
        net::post(state->io_context, std::move(done));
        return;
      }
      state->on_stopped = std::move(done);
      idle.assign(state->sessions.begin(), state->sessions.end());
    }
    // Idle sessions wait in a read: wake them so they see `stopping` and close. Busy ones
    // finish their request first and then close on their own.
    for (auto& handle : idle) handle.close_if_idle();
    // Past the grace period, whatever is still open is cut.
    auto timer = std::make_shared<net::steady_timer>(state->io_context,
                                                     state->options.shutdown_grace);
    timer->async_wait([state, timer](boost::system::error_code ec) {
      if (ec) return;
      std::vector<SessionHandle> left;
      {
        std::lock_guard lock(state->mutex);
        left.assign(state->sessions.begin(), state->sessions.end());
      }
      if (!left.empty()) observe::warn("shutdown grace passed; closing {} connections", left.size());
      for (auto& handle : left) handle.force_close();
    });
  });
}

}  // namespace ferry::http
