#include "ferry/http/server/server.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/http/server/session.h"
#include "ferry/observe/log.h"

namespace ferry::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Server::State::State(IoWorkers w, ServerOptions opts, std::shared_ptr<const Router> r)
    : workers(std::move(w)),
      options(std::move(opts)),
      router(std::move(r)),
      acceptor(workers.executor(0)) {
  for (std::size_t i = 0; i < workers.size(); ++i) {
    per_worker.push_back(std::make_unique<WorkerSessions>());
  }
}

std::list<SessionHandle>::iterator Server::State::register_session(std::size_t index,
                                                                    SessionHandle handle) {
  auto& sessions = per_worker[index]->sessions;
  return sessions.insert(sessions.end(), std::move(handle));
}

void Server::State::unregister_session(std::size_t index, std::list<SessionHandle>::iterator it) {
  per_worker[index]->sessions.erase(it);
  if (per_worker[index]->stopping) report_if_drained(index);
}

void Server::State::report_if_drained(std::size_t index) {
  WorkerSessions& mine = *per_worker[index];
  if (!mine.sessions.empty() || mine.stop_reported) return;
  mine.stop_reported = true;
  if (mine.grace_timer) mine.grace_timer->cancel();
  if (workers_pending.fetch_sub(1) != 1) return;
  std::function<void()> done;
  {
    std::lock_guard lock(stop_mutex);
    done = std::exchange(on_stopped, nullptr);
  }
  if (done) net::post(workers.executor(0), std::move(done));
}

namespace {

// How long the acceptor rests after a failed accept (EMFILE: no descriptor left).
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

void log_escaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    observe::error("session ended by an unexpected exception: {}", ex.what());
  }
}

// Accepts on the first worker and hands each connection to the next worker in turn: the
// socket is created on that worker's io_context, and its session is spawned there.
net::awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
  std::size_t next = 0;
  for (;;) {
    const std::size_t index = next++ % state->workers.size();
    const auto& executor = state->workers.executor(index);
    boost::system::error_code ec;
    tcp::socket socket = co_await state->acceptor.async_accept(
        executor, net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !state->acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: keep serving the connections we have, and give
      // them time to close some before trying again rather than spinning on the error.
      observe::warn("accept failed: {}", ec.message());
      net::steady_timer pause(state->acceptor.get_executor(), kAcceptRetryDelay);
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    net::co_spawn(executor, serve_session(state, index, std::move(socket)), log_escaped);
  }
}

// On worker `index`: wakes its idle sessions so they close, and cuts the rest after the
// grace period.
void stop_worker(const std::shared_ptr<Server::State>& state, std::size_t index) {
  WorkerSessions& mine = *state->per_worker[index];
  mine.stopping = true;
  // Copied: a handle may end its session, which erases it from the list.
  std::vector<SessionHandle> idle(mine.sessions.begin(), mine.sessions.end());
  for (auto& handle : idle) handle.close_if_idle();
  auto timer = std::make_shared<net::steady_timer>(state->workers.executor(index),
                                                   state->options.shutdown_grace);
  mine.grace_timer = timer;
  // The handler holds the state weakly: a drained worker's stop must not keep it alive.
  std::weak_ptr<Server::State> weak = state;
  timer->async_wait([weak, index](boost::system::error_code ec) {
    auto state = weak.lock();
    if (ec || !state) return;
    std::vector<SessionHandle> left(state->per_worker[index]->sessions.begin(),
                                    state->per_worker[index]->sessions.end());
    if (!left.empty()) observe::warn("shutdown grace passed; closing {} connections", left.size());
    for (auto& handle : left) handle.force_close();
  });
  state->report_if_drained(index);
}

}  // namespace

Result<std::shared_ptr<Server>> Server::listen(IoWorkers workers, ServerOptions options,
                                               std::shared_ptr<const Router> router) {
  if (workers.size() == 0) return Error{Errc::invalid_argument, "the server needs an I/O thread"};
  boost::system::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    return Error{Errc::invalid_argument,
                 "listen address \"" + options.address + "\" is not an IP address"};
  }
  auto state = std::make_shared<State>(std::move(workers), std::move(options), std::move(router));
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
    if (state->is_stopping()) return;
    {
      std::lock_guard lock(state->stop_mutex);
      state->on_stopped = std::move(done);
    }
    state->workers_pending.store(state->workers.size());
    state->stopping.store(true);
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    for (std::size_t i = 0; i < state->workers.size(); ++i) {
      net::post(state->workers.executor(i), [state, i] { stop_worker(state, i); });
    }
  });
}

}  // namespace ferry::http
