#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/postgres/connection.h"
#include "ferry/store/postgres/target.h"

namespace ferry::store::pg {

// How a NotificationListener listens and reconnects.
struct ListenerOptions {
  ConnectOptions connect;
  // The waits between attempts while the database cannot be reached: from `first_retry`,
  // doubling up to `last_retry`.
  std::chrono::milliseconds first_retry{50};
  std::chrono::milliseconds last_retry{2'000};
};

// One database session of its own that LISTENs on `channels`, on a thread of its own.
//
// Calls, on that thread, one at a time: `listening` each time the session has (re)started
// to LISTEN (anything sent while it was not listening is lost, which the caller must
// assume), then `received` for every notification, in the order the database sends them.
// A lost session (a database restart, a network failure, pg_terminate_backend) is noticed
// as soon as its socket says so (TCP keepalives cover a silent network) and replaced,
// retrying with backoff while the database is down; the first failure of an outage is
// logged, and the recovery.
//
// The destructor stops the thread promptly, whatever it waits for, and joins it: a
// handler call in progress finishes first, none starts after. Channel names are
// identifiers chosen by the code ([a-z_]+), never input.
class NotificationListener {
 public:
  using Listening = std::function<void()>;
  using Received = std::function<void(const Notification&)>;

  NotificationListener(std::shared_ptr<const Target> target, ListenerOptions options,
                       std::vector<std::string> channels, Listening listening,
                       Received received);
  ~NotificationListener();
  NotificationListener(const NotificationListener&) = delete;
  NotificationListener& operator=(const NotificationListener&) = delete;

  // Sessions that have started to LISTEN so far (tests).
  std::size_t sessions() const { return sessions_.load(); }

 private:
  void run();
  // LISTENs on a fresh session and delivers its notifications until it is lost or the
  // listener stops. False when the session could not be opened or subscribed.
  bool listen_once();
  // Waits up to `wait` for stop(). True when stopping.
  bool pause(std::chrono::milliseconds wait);

  const std::shared_ptr<const Target> target_;
  const ListenerOptions options_;
  const std::vector<std::string> channels_;
  const Listening listening_;
  const Received received_;
  int wake_fd_ = -1;  // eventfd written by the destructor
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> sessions_{0};
  bool down_logged_ = false;  // the listener thread's own
  std::thread thread_;        // last: starts once the rest is set
};

}  // namespace ferry::store::pg
