#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ferry/core/io_workers.h"

namespace ferry::proxy {

// Whose quota a pause holds back: one connection of one integration on one upstream host.
struct QuotaKey {
  std::string provider_config_key;
  std::string connection_id;
  std::string host;

  auto operator<=>(const QuotaKey&) const = default;
};

// The proactive pause of DESIGN.md §5: when an upstream says a connection's quota is spent
// (remaining 0 with a reset time), later calls for it wait for the reset instead of
// collecting 429s. Times are steady_clock points passed in by the caller, so tests need no
// clock. One table per I/O thread (QuotaBoard); NOT thread-safe. Every operation is
// O(log n), plus an occasional sweep of expired entries that keeps the table from growing
// without bound.
class QuotaPauses {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Holds `key` back for `length` from `now`. A pause that ends later extends the current
  // one; one that ends earlier is ignored.
  void pause(const QuotaKey& key, TimePoint now, std::chrono::milliseconds length);

  // How long a call for `key` starting at `now` must wait; zero when none is due.
  std::chrono::milliseconds remaining(const QuotaKey& key, TimePoint now);

  // Entries held, expired ones not yet swept included.
  std::size_t size() const { return until_.size(); }

 private:
  // The table is swept of expired entries when it grows past sweep_above_, which then
  // doubles the live size (at least kMinSweepAbove): sweeps stay amortised O(1).
  static constexpr std::size_t kMinSweepAbove = 1024;

  std::map<QuotaKey, TimePoint> until_;
  std::size_t sweep_above_ = kMinSweepAbove;
};

// The quota pauses of every I/O thread. A call reads the table of the thread it runs on,
// with no lock; a pause, which a response announces rarely, is posted to every thread's
// table (applied on the announcing thread at once). Callers on other executors (tests)
// share one table behind a mutex. Thread-safe; owned by the app.
class QuotaBoard {
 public:
  explicit QuotaBoard(IoWorkers workers = {});

  // QuotaPauses::remaining for a call running on `executor`.
  std::chrono::milliseconds remaining(const boost::asio::any_io_executor& executor,
                                      const QuotaKey& key, QuotaPauses::TimePoint now);
  // QuotaPauses::pause on every table, announced from `executor`.
  void pause(const boost::asio::any_io_executor& executor, const QuotaKey& key,
             QuotaPauses::TimePoint now, std::chrono::milliseconds length);

 private:
  IoWorkers workers_;
  std::vector<std::unique_ptr<QuotaPauses>> tables_;  // one per worker, same order
  std::mutex others_mutex_;
  QuotaPauses others_;  // GUARDED_BY(others_mutex_)
};

}  // namespace ferry::proxy
