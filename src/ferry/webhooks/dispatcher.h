#pragma once

// Delivers the webhook outbox (store/types.h's OutboxEvent) to the backend's webhook_url:
// leases what is due (the store hands each event to one instance at a time, a connection's
// events one after another), POSTs each body as it was written (the leased events side by
// side: they belong to different connections), signed with HMAC-SHA256 of the raw body in
// X-Nango-Hmac-Sha256 (hex, Nango's scheme), and records the attempt and what follows
// (webhooks/delivery_policy.h). At-least-once: an instance that dies between the receiver's
// answer and the record sends the event again once its lease runs out, with the same eventId
// for the receiver to de-duplicate. Also prunes finished events past their retention.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "ferry/core/blocking_pool.h"
#include "ferry/core/clock.h"
#include "ferry/store/types.h"
#include "ferry/webhooks/delivery_policy.h"

namespace ferry::http {
class Exchange;
}
namespace ferry::store {
class Store;
}

namespace ferry::webhooks {

struct DispatcherOptions {
  std::string url;          // the receiver; an http(s) URL
  std::string signing_key;  // HMAC key of X-Nango-Hmac-Sha256
  DeliveryPolicy policy;
  std::chrono::milliseconds poll_interval{500};  // between looks when nothing was due
  std::chrono::seconds lease{30};                // an attempt's hold on its event
  std::chrono::seconds timeout{10};              // per attempt
  std::size_t batch = 16;                        // events leased per look
  std::chrono::seconds retention{std::chrono::days(7)};  // delivered and dead events
};

// The value of X-Nango-Hmac-Sha256 for `body`: lower-case hex HMAC-SHA256 under `key`.
std::string webhook_signature(std::string_view key, std::string_view body);
// The value of X-Nango-Signature, Nango's older signature that @nangohq/node's
// verifyWebhookSignature checks: lower-case hex SHA-256 of `key` followed by `body`.
std::string legacy_webhook_signature(std::string_view key, std::string_view body);

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  Dispatcher(DispatcherOptions options, std::shared_ptr<store::Store> store,
             std::shared_ptr<http::Exchange> exchange, std::shared_ptr<BlockingPool> blocking,
             std::shared_ptr<const Clock> clock, boost::asio::any_io_executor executor);

  // Starts delivering on the executor until stop(). Call once.
  void start();
  // Ends the loop after the attempt in flight (its lease runs out if it is cut short).
  void stop();

  // One look: leases what is due and delivers it. Returns how many events it attempted.
  // Suspends. Public for tests.
  boost::asio::awaitable<std::size_t> deliver_due();

  // This instance's lease holder name ("ferry-<uuid>").
  const std::string& worker() const { return worker_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> deliver(const store::OutboxEvent& event);
  boost::asio::awaitable<DeliveryResult> post(const store::OutboxEvent& event);
  void prune_if_due();

  const DispatcherOptions options_;
  const std::shared_ptr<store::Store> store_;
  const std::shared_ptr<http::Exchange> exchange_;
  const std::shared_ptr<BlockingPool> blocking_;
  const std::shared_ptr<const Clock> clock_;
  const boost::asio::any_io_executor executor_;
  const std::string worker_;
  std::mt19937_64 random_;  // used by the loop only
  std::atomic<bool> stopping_{false};
  boost::asio::steady_timer timer_;  // the loop's wait; touched on executor_ only
  std::chrono::steady_clock::time_point next_prune_{};
};

}  // namespace ferry::webhooks
