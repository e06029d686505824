#include "ferry/auth/oauth2/refresh_flight.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ferry::auth::oauth2 {

namespace net = boost::asio;

net::awaitable<FlightOutcome> RefreshFlight::wait() {
  auto executor = co_await net::this_coro::executor;
  auto initiation = [this, &executor](auto handler) {
    park(Waiter{executor, std::move(handler)});
  };
  FlightOutcome outcome =
      co_await net::async_initiate<const net::use_awaitable_t<>&, void(FlightOutcome)>(
          initiation, net::use_awaitable);
  co_return outcome;
}

void RefreshFlight::complete(FlightOutcome outcome) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    if (outcome_) return;
    outcome_ = std::move(outcome);
    waiters.swap(waiters_);
  }
  // outcome_ is never written again, so reading it unlocked is safe from here on.
  for (auto& waiter : waiters) resume(std::move(waiter), *outcome_);
}

bool RefreshFlight::done() const {
  std::lock_guard lock(mu_);
  return outcome_.has_value();
}

void RefreshFlight::park(Waiter waiter) {
  std::unique_lock lock(mu_);
  if (!outcome_) {
    waiters_.push_back(std::move(waiter));
    return;
  }
  lock.unlock();
  resume(std::move(waiter), *outcome_);
}

void RefreshFlight::resume(Waiter waiter, FlightOutcome outcome) {
  // Posted, never called inline: the waiter's coroutine must resume on its own executor
  // (its session's I/O thread), and the completing coroutine must not run 200 waiters on its
  // own stack.
  net::post(waiter.executor, [handler = std::move(waiter.handler),
                              outcome = std::move(outcome)]() mutable {
    std::move(handler)(std::move(outcome));
  });
}

}  // namespace ferry::auth::oauth2
