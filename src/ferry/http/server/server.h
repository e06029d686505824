#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "ferry/core/io_workers.h"
#include "ferry/core/result.h"
#include "ferry/http/server/router.h"

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
// Threading: thread-per-core (STYLE.md §2.8). Each I/O thread runs its own io_context (the
// `workers`). One acceptor, on the first worker, hands every accepted connection to a
// worker in turn, once; the connection's session then runs on that worker's thread until it
// ends, with the upstream pool, connection cache and quota table of that thread. A request
// never changes thread and takes no shared lock on its way: one worker's session list is
// only touched on that worker. Requests of uneven weight (a 1 GiB download next to a /health
// probe) cost a thread some latency; connections, not requests, are what is balanced.
//
// Owned by the application through shared_ptr; sessions keep a reference to the server's
// shared state, so the Server object may be destroyed once stop() has completed.
class Server {
 public:
  // Binds and starts accepting on the first of `workers` (whose io_contexts the caller
  // runs). Errc::invalid_argument when the address is malformed or there is no worker,
  // Errc::unavailable when the port cannot be bound.
  static Result<std::shared_ptr<Server>> listen(IoWorkers workers, ServerOptions options,
                                                std::shared_ptr<const Router> router);
  ~Server();

  // The bound port (the real one when options.port was 0).
  unsigned short port() const;

  // Graceful stop, callable from any thread, once: closes the listener, lets requests in
  // flight finish (their responses carry `Connection: close`), closes idle keep-alive
  // connections, and calls `done` (on the first worker's thread) when the last session of
  // every worker has ended or shutdown_grace has passed, whichever is first.
  void stop(std::function<void()> done);

  struct State;  // shared with the sessions; defined in server.cc

 private:
  explicit Server(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace ferry::http
