#pragma once

#include <memory>
#include <string>

#include "ferry/core/result.h"
#include "ferry/http/server/router.h"
#include "state.h"

namespace boost::asio {
class io_context;
}

namespace ferry::fake_atlassian {

// The fake's HTTP/1.1 listener. It routes with Ferry's Router but runs its own small session
// loop, because injected faults need what a handler cannot do: close the socket without an
// answer (a TCP reset) and answer before routing. Each request is counted in the stats and
// checked against the fault queue first; /__admin/ requests are neither counted nor faulted.
//
// Every connection runs on its own strand of the caller's io_context; shared data is in
// State (mutex-guarded). Owned through shared_ptr; sessions keep the router and state alive.
class Listener {
 public:
  // Binds `address`:`port` (0 = any) and starts accepting. Errc::invalid_argument for a
  // malformed address, Errc::unavailable when the port cannot be bound.
  static Result<std::shared_ptr<Listener>> start(boost::asio::io_context& ioc,
                                                 const std::string& address, unsigned short port,
                                                 std::shared_ptr<const http::Router> router,
                                                 std::shared_ptr<State> state, bool verbose);
  ~Listener();

  unsigned short port() const;
  // Stops accepting (callable from any thread). Open connections end when the io_context
  // stops.
  void stop();

  struct Impl;

 private:
  explicit Listener(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace ferry::fake_atlassian
