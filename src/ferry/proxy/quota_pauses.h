#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

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
// clock. Thread-safe (one mutex); every operation is O(log n), plus an occasional sweep of
// expired entries that keeps the table from growing without bound.
class QuotaPauses {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Holds `key` back for `length` from `now`. A pause that ends later extends the current
  // one; one that ends earlier is ignored.
  void pause(const QuotaKey& key, TimePoint now, std::chrono::milliseconds length);

  // How long a call for `key` starting at `now` must wait; zero when none is due.
  std::chrono::milliseconds remaining(const QuotaKey& key, TimePoint now);

  // Entries held, expired ones not yet swept included.
  std::size_t size() const;

 private:
  // The table is swept of expired entries when it grows past sweep_above_, which then
  // doubles the live size (at least kMinSweepAbove): sweeps stay amortised O(1).
  static constexpr std::size_t kMinSweepAbove = 1024;

  mutable std::mutex mutex_;
  std::map<QuotaKey, TimePoint> until_;       // GUARDED_BY(mutex_)
  std::size_t sweep_above_ = kMinSweepAbove;  // GUARDED_BY(mutex_)
};

}  // namespace ferry::proxy
