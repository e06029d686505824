#pragma once

// The last hour of per-integration activity, for the dashboard's overview charts.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/observe/ferry_metrics.h"

namespace ferry::observe {

// A ring of points, one per sample() (the app samples every kInterval, so the default
// capacity holds an hour), each holding per integration what happened since the previous
// sample:
//   - requests: proxied calls that went upstream (ferry_proxy_request_duration_seconds);
//   - errors: those among them answered 5xx or with no upstream answer at all (a transport
//     failure or timeout; status_class "5xx" and "error" of ferry_upstream_responses_total);
//   - p50_ms, p99_ms: their latency quantiles in milliseconds, estimated from the interval's
//     bucket deltas with linear interpolation within a bucket; null without requests;
//   - refreshes, refresh_failures: token renewals (ferry_token_refreshes_total).
// The first interval starts at construction. Time comes from `clock`, so tests drive it.
// Thread-safe: sample() and to_json() may run on different threads (a mutex guards both).
class MetricHistory {
 public:
  static constexpr std::chrono::seconds kInterval{10};
  static constexpr std::size_t kCapacity = 360;

  // `integrations`: the configured integration keys, each shown even when idle.
  MetricHistory(std::shared_ptr<const Clock> clock, std::vector<std::string> integrations,
                std::size_t capacity = kCapacity);

  // Closes the interval ending at clock->now(): appends its point, dropping the oldest when
  // the ring is full.
  void sample();

  // {"interval_seconds": 10, "timestamps": [unix seconds, oldest first], "integrations":
  //  {"<key>": {"requests": [...], "errors": [...], "p50_ms": [...|null], "p99_ms": [...],
  //  "refreshes": [...], "refresh_failures": [...]}}}; timestamps are each interval's end.
  nlohmann::json to_json() const;

 private:
  // An integration's cumulative counts at the last sample.
  struct Totals {
    std::vector<std::uint64_t> latency_buckets;
    std::uint64_t errors = 0;
    std::uint64_t refreshes = 0;
    std::uint64_t refresh_failures = 0;
  };
  // What one integration did in one interval.
  struct Interval {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::optional<double> p50_ms;
    std::optional<double> p99_ms;
    std::uint64_t refreshes = 0;
    std::uint64_t refresh_failures = 0;
  };
  struct Point {
    std::int64_t timestamp = 0;
    std::vector<Interval> integrations;  // in metrics_' order
  };

  static Totals read_totals(const IntegrationMetrics& metrics);
  static Interval difference(const IntegrationMetrics& metrics, const Totals& before,
                             const Totals& now);

  const std::shared_ptr<const Clock> clock_;
  const std::size_t capacity_;
  std::vector<const IntegrationMetrics*> metrics_;
  mutable std::mutex mu_;
  std::vector<Totals> last_;  // GUARDED_BY(mu_)
  std::vector<Point> ring_;   // GUARDED_BY(mu_); ring_[next_] is the oldest once full
  std::size_t next_ = 0;      // GUARDED_BY(mu_)
};

}  // namespace ferry::observe
