#pragma once

// Internal to the server: one HTTP/1.1 connection and the state it shares with the listener.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "ferry/http/server/server.h"

namespace ferry::http {

// How shutdown reaches a live session. Both are called on the session's own worker thread.
struct SessionHandle {
  std::function<void()> close_if_idle;
  std::function<void()> force_close;
};

// The sessions of one worker. Touched only on that worker's thread.
struct WorkerSessions {
  std::list<SessionHandle> sessions;
  // Cuts what is left after the grace period; cancelled once the worker has drained, so
  // nothing keeps the server's state alive past the stop.
  std::shared_ptr<boost::asio::steady_timer> grace_timer;
  bool stopping = false;       // the stop reached this worker
  bool stop_reported = false;  // this worker told the server it has no session left
};

struct Server::State {
  State(IoWorkers workers, ServerOptions options, std::shared_ptr<const Router> router);

  const IoWorkers workers;
  const ServerOptions options;
  const std::shared_ptr<const Router> router;
  boost::asio::ip::tcp::acceptor acceptor;  // on the first worker; used there only
  unsigned short port = 0;
  std::vector<std::unique_ptr<WorkerSessions>> per_worker;  // one per worker, same order

  std::atomic<bool> stopping{false};
  // Workers that still have sessions while stopping; the last one to reach zero calls done.
  std::atomic<std::size_t> workers_pending{0};
  std::mutex stop_mutex;
  std::function<void()> on_stopped;  // GUARDED_BY(stop_mutex)

  bool is_stopping() const { return stopping.load(std::memory_order_relaxed); }
  // On worker `index`'s thread.
  std::list<SessionHandle>::iterator register_session(std::size_t index, SessionHandle handle);
  // On worker `index`'s thread. Completes a pending stop() when it was the last session.
  void unregister_session(std::size_t index, std::list<SessionHandle>::iterator it);
  // On worker `index`'s thread, once the stop reached it: reports it when it has no
  // session left.
  void report_if_drained(std::size_t index);
};

// Serves requests on `socket` until the peer closes, an error occurs, or the server stops.
// Runs on worker `index`'s thread, which the socket belongs to.
boost::asio::awaitable<void> serve_session(std::shared_ptr<Server::State> state,
                                           std::size_t index,
                                           boost::asio::ip::tcp::socket socket);

}  // namespace ferry::http
