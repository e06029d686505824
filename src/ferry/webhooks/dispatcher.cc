#include "ferry/webhooks/dispatcher.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/core/crypto.h"
#include "ferry/http/client/body_source.h"
#include "ferry/http/client/exchange.h"
#include "ferry/http/client/fetch.h"
#include "ferry/observe/ferry_metrics.h"
#include "ferry/observe/log.h"
#include "ferry/store/store.h"

namespace ferry::webhooks {
namespace {

namespace net = boost::asio;

constexpr auto kPruneEvery = std::chrono::minutes(10);
constexpr std::size_t kPruneRound = 1000;

observe::Counter& outcome_counter(store::OutboxState state) {
  return observe::webhook_attempts(state == store::OutboxState::delivered ? "delivered"
                                   : state == store::OutboxState::dead    ? "dead"
                                                                          : "retry");
}

}  // namespace

std::string webhook_signature(std::string_view key, std::string_view body) {
  return hex_encode(hmac_sha256(key, body));
}

std::string legacy_webhook_signature(std::string_view key, std::string_view body) {
  std::string signed_text;
  signed_text.reserve(key.size() + body.size());
  signed_text.append(key).append(body);
  return hex_encode(sha256(signed_text));
}

Dispatcher::Dispatcher(DispatcherOptions options, std::shared_ptr<store::Store> store,
                       std::shared_ptr<http::Exchange> exchange,
                       std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock,
                       net::any_io_executor executor)
    : options_(std::move(options)),
      store_(std::move(store)),
      exchange_(std::move(exchange)),
      blocking_(std::move(blocking)),
      clock_(std::move(clock)),
      executor_(executor),
      worker_("ferry-" + uuid_v4()),
      random_(std::random_device{}()),
      timer_(executor) {}

void Dispatcher::start() {
  net::co_spawn(executor_, [self = shared_from_this()] { return self->run(); }, net::detached);
}

void Dispatcher::stop() {
  stopping_ = true;
  net::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
}

net::awaitable<void> Dispatcher::run() {
  observe::info("webhooks: delivering connection events to {} as {}", options_.url, worker_);
  while (!stopping_) {
    std::size_t attempted = co_await deliver_due();
    prune_if_due();
    if (attempted >= options_.batch || stopping_) continue;  // more may be due at once
    timer_.expires_after(options_.poll_interval);
    boost::system::error_code ignored;
    co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
}

net::awaitable<std::size_t> Dispatcher::deliver_due() {
  auto leased = co_await blocking_->run([&] {
    return store_->lease_outbox(worker_, clock_->now(), options_.lease, options_.batch);
  });
  if (!leased) {
    observe::warn("webhooks: cannot read the outbox: {}", leased.error().message);
    co_return 0;
  }
  if (leased->empty()) co_return 0;
  // One per connection (the lease's rule), so they go out side by side without breaking any
  // connection's order, and a slow receiver answer holds up only its own event. All run on
  // this executor's one thread; the timer wakes this look when the last one ends.
  std::size_t running = leased->size();
  net::steady_timer all_ended(executor_, std::chrono::steady_clock::time_point::max());
  for (const store::OutboxEvent& event : *leased) {
    net::co_spawn(executor_, deliver(event), [&](std::exception_ptr) {
      if (--running == 0) all_ended.cancel();
    });
  }
  boost::system::error_code ignored;
  co_await all_ended.async_wait(net::redirect_error(net::use_awaitable, ignored));
  co_return leased->size();
}

// Only the answer's head counts: its body is never read, so a receiver dripping one out
// cannot hold the delivery past the timeout (which bounds connecting, sending and the head).
net::awaitable<DeliveryResult> Dispatcher::post(const store::OutboxEvent& event) {
  DeliveryResult result;
  auto request = http::outbound_request_for(options_.url);
  if (!request) {
    result.error = request.error().message;
    co_return result;
  }
  request->method = http::Verb::post;
  request->timeout = options_.timeout;
  request->headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", "Ferry-Webhooks"},
      {"X-Nango-Hmac-Sha256", webhook_signature(options_.signing_key, event.body)},
      {"X-Nango-Signature", legacy_webhook_signature(options_.signing_key, event.body)},
      {"X-Ferry-Event-Id", event.id},
  };
  http::BufferedBody body(event.body);
  const auto started = std::chrono::steady_clock::now();
  auto sent = co_await exchange_->send(*request, body);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (!sent) {
    result.error = sent.failure->error.message;
  } else {
    result.status = sent.response->status();
    auto retry_after = sent.response->head().find("Retry-After");
    if (retry_after != sent.response->head().end()) {
      result.retry_after = std::string(retry_after->value());
    }
  }
  // Dropping the response with its body unread closes that connection.
  co_return result;
}

net::awaitable<void> Dispatcher::deliver(const store::OutboxEvent& event) {
  const DeliveryResult result = co_await post(event);
  const store::OutboxAttempt attempt = judge_attempt(result, event.attempts, event.created_at,
                                                     clock_->now(), options_.policy, random_);
  auto recorded = co_await blocking_->run(
      [&] { return store_->finish_outbox_attempt(event.id, worker_, attempt); });
  if (!recorded) {
    // The lease ran out and another instance holds the event: it sends it (again).
    observe::warn("webhooks: the attempt on {} was not recorded: {}", event.id,
                  recorded.error().message);
    co_return;
  }
  outcome_counter(attempt.next_state).add();
  if (attempt.next_state == store::OutboxState::delivered) {
    observe::debug("webhooks: {} ({}) delivered in {} ms", event.id, event.type,
                   result.duration.count());
  } else {
    observe::warn("webhooks: {} ({}) of {}: {}{}", event.id, event.type,
                  store::describe(event.key), attempt.error,
                  attempt.next_state == store::OutboxState::pending
                      ? "; retried at " + format_iso8601(attempt.retry_at)
                      : std::string());
  }
}

void Dispatcher::prune_if_due() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_prune_) return;
  next_prune_ = now + kPruneEvery;
  // Rounds of their own on the blocking pool; the loop does not wait for them.
  net::post(blocking_->executor(), [self = shared_from_this()] {
    const TimePoint before = self->clock_->now() - self->options_.retention;
    for (;;) {
      auto pruned = self->store_->prune_outbox(before, kPruneRound);
      if (!pruned) {
        observe::warn("webhooks: cannot prune the outbox: {}", pruned.error().message);
        return;
      }
      if (*pruned < kPruneRound) return;
    }
  });
}

}  // namespace ferry::webhooks
