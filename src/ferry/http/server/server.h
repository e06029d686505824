#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "ferry/core/result.h"
#include "ferry/http/server/router.h"

namespace boost::asio {
class io_context;
}

namespace ferry::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  unsigned short port = 3003;                        // 0 = any free port (tests)
  std::size_t max_body_bytes = 10 * 1024 * 1024;    // larger bodies get 413
  std::size_t max_header_bytes = 64 * 1024;          // larger headers get 431
  std::chrono::seconds idle_timeout{60};             // keep-alive wait for the next request
  std::chrono::seconds io_timeout{120};              // reading one body / writing one response
  std::chrono::seconds shutdown_grace{30};           // in-flight requests get this long to finish
};

// The HTTP/1.1 listener and its sessions.
//
// Threading: Ferry runs ONE io_context on N threads (one per core). Every accepted socket
// gets its own strand, so a session's steps never overlap, while different sessions run on
// any free thread. We chose this over one io_context per core because the work per request
// is uneven (a proxied 1 GiB download next to a /health probe): a shared queue keeps all
// cores busy without a balancing scheme, and shared state (connection cache, refresh
// single-flight) is guarded explicitly anyway.
//
// Owned by the application through shared_ptr; sessions keep a reference to the server's
// shared state, so the Server object may be destroyed once stop() has completed.
class Server {
 public:
  // Binds and starts accepting on `ioc` (which the caller runs). Errc::invalid_argument
  // when the address is malformed, Errc::unavailable when the port cannot be bound.
  static Result<std::shared_ptr<Server>> listen(boost::asio::io_context& ioc, ServerOptions options,
                                                std::shared_ptr<const Router> router);
  ~Server();

  // The bound port (the real one when options.port was 0).
  unsigned short port() const;

  // Graceful stop, callable from any thread, once: closes the listener, lets requests in
  // flight finish (their responses carry `Connection: close`), closes idle keep-alive
  // connections, and calls `done` (on an io_context thread) when the last session has ended
  // or shutdown_grace has passed, whichever is first.
  void stop(std::function<void()> done);

  struct State;  // shared with the sessions; defined in server.cc

 private:
  explicit Server(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace ferry::http
