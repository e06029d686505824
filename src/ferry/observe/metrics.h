#pragma once

// Process-wide counters for `GET /metrics` (DESIGN.md §3), in Prometheus' text format.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::observe {

// A count that only grows. Lock-free; callable from any thread.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// The process-wide counter `name` (a Prometheus metric name, e.g. "ferry_x_total") with at
// most one label, created at zero on first use. The same name and label give the same
// object, which lives until the process exits, so hot paths keep the reference. `help` is
// taken from the first call for a name. Thread-safe (a mutex guards the lookup only).
Counter& counter(std::string_view name, std::string_view help, std::string_view label_name = {},
                 std::string_view label_value = {});

// Every counter in the text exposition format 0.0.4: "# HELP", "# TYPE ... counter", then
// one sample line per label value, metrics sorted by name, samples by label value.
std::string render_prometheus();

// The proxy's upstream counters (DESIGN.md §5).
// Attempts to send a request upstream (connecting included).
Counter& upstream_attempts();
// Retries, by reason ("rate_limited", "timeout", "stale_connection", "unauthorized", ...).
Counter& upstream_retries(std::string_view reason);
// Milliseconds spent waiting before retries.
Counter& upstream_retry_wait_ms();
// Transient answers delivered because no attempt or time was left for another try.
Counter& upstream_retries_exhausted();
// Calls held back before sending because their quota was spent, and the time it took.
Counter& upstream_quota_pauses();
Counter& upstream_quota_pause_ms();

}  // namespace ferry::observe
