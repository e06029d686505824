#pragma once

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::auth::oauth2 {

// What one refresh produced: the connection to use (or why there is none) and whether its
// tokens are new. A caller that forced a refresh checks `renewed` to know whether the
// flight it joined really replaced the tokens it saw rejected.
struct FlightOutcome {
  Result<std::shared_ptr<const store::Connection>> connection =
      Error{Errc::internal, "the refresh did not finish"};
  bool renewed = false;
};

// One refresh in progress for one connection, awaited by any number of coroutines: a
// one-shot broadcast built from Asio completion handlers (the single-flight of
// refresher.h). wait() parks the caller's completion handler in a list; complete() stores
// the outcome once and posts every parked handler to its own executor (the waiter's
// I/O thread), so a waiter never blocks a thread and always resumes where it suspended.
// Owned by shared_ptr (the refresher's flight table and every waiter). Thread-safe: a
// mutex guards the list and the outcome, and is never held while a handler runs.
class RefreshFlight {
 public:
  explicit RefreshFlight(bool forced) : forced_(forced) {}
  RefreshFlight(const RefreshFlight&) = delete;
  RefreshFlight& operator=(const RefreshFlight&) = delete;

  // True when the flight was started by a forced refresh: it renews whatever the expiry.
  bool forced() const { return forced_; }

  // The outcome, once complete() has been called (promptly if it already was). Suspends;
  // resumes on the awaiting coroutine's executor. Never fails: errors are in the outcome.
  boost::asio::awaitable<FlightOutcome> wait();

  // Stores `outcome` and resumes every waiter with a copy. Later calls are ignored (the
  // first outcome wins), so an error path may complete a flight unconditionally.
  void complete(FlightOutcome outcome);

  // Whether complete() has been called.
  bool done() const;

 private:
  // A parked waiter: its completion handler and the executor its coroutine runs on.
  struct Waiter {
    boost::asio::any_io_executor executor;
    boost::asio::any_completion_handler<void(FlightOutcome)> handler;
  };
  void park(Waiter waiter);
  static void resume(Waiter waiter, FlightOutcome outcome);

  const bool forced_;
  mutable std::mutex mu_;
  std::optional<FlightOutcome> outcome_;  // guarded by mu_
  std::vector<Waiter> waiters_;           // guarded by mu_
};

}  // namespace ferry::auth::oauth2
