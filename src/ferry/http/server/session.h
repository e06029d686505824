#pragma once

// Internal to the server: one HTTP/1.1 connection and the state it shares with the listener.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "ferry/http/server/server.h"

namespace ferry::http {

// How the listener reaches a live session during shutdown. Both calls post onto the
// session's strand, so they never race with the session's own steps.
struct SessionHandle {
  std::function<void()> close_if_idle;
  std::function<void()> force_close;
};

struct Server::State {
  State(boost::asio::io_context& ioc, ServerOptions options, std::shared_ptr<const Router> router);

  boost::asio::io_context& io_context;
  const ServerOptions options;
  const std::shared_ptr<const Router> router;
  boost::asio::ip::tcp::acceptor acceptor;  // used on its own executor only
  unsigned short port = 0;

  std::mutex mutex;
  bool stopping = false;                  // GUARDED_BY(mutex)
  std::list<SessionHandle> sessions;      // GUARDED_BY(mutex)
  std::function<void()> on_stopped;       // GUARDED_BY(mutex)

  std::list<SessionHandle>::iterator register_session(SessionHandle handle);
  // Removes a session; completes a pending stop() when it was the last one.
  void unregister_session(std::list<SessionHandle>::iterator it);
  bool is_stopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }
};

// Serves requests on `socket` until the peer closes, an error occurs, or the server stops.
// Runs on the socket's strand.
boost::asio::awaitable<void> serve_session(std::shared_ptr<Server::State> state,
                                           boost::asio::ip::tcp::socket socket);

}  // namespace ferry::http
