#pragma once

// A Prometheus histogram's buckets, and the arithmetic done on them: which bucket a value
// falls in, and quantiles estimated from bucket counts.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace ferry::observe {

// What a histogram held at one moment. `buckets` are per bucket, not cumulative: one per
// upper bound, then the +Inf bucket last.
struct HistogramSnapshot {
  std::vector<std::uint64_t> buckets;
  double sum = 0;

  std::uint64_t count() const;
  // buckets[0], buckets[0] + buckets[1], ...: the `le` samples of the text format.
  std::vector<std::uint64_t> cumulative() const;
};

// Observations counted into buckets with fixed upper bounds, plus their sum. observe() is
// lock-free (one relaxed atomic add per bucket and one for the sum) and callable from any
// thread; the object never moves, so hot paths keep a reference to it. The count is the
// sum of the buckets, so a snapshot's `_count` always equals its +Inf bucket.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` is finite and strictly ascending (the +Inf bucket is implied).
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `value` in the first bucket whose upper bound is >= value. NaN is ignored.
  void observe(double value);
  HistogramSnapshot snapshot() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// The index of the bucket `value` is counted in: the first i with value <= upper_bounds[i],
// or upper_bounds.size() (the +Inf bucket).
std::size_t bucket_index(std::span<const double> upper_bounds, double value);

// The q-quantile (0 < q <= 1) of the observations counted in `buckets` (per bucket, +Inf
// last, as in HistogramSnapshot), as Prometheus' histogram_quantile() estimates it: find
// the bucket holding the rank q * count, then interpolate linearly between its lower bound
// (the previous upper bound, or 0 for the first bucket) and its upper bound. A rank in the
// +Inf bucket gives the highest finite bound. nullopt when the buckets are all zero.
std::optional<double> estimate_quantile(std::span<const double> upper_bounds,
                                        std::span<const std::uint64_t> buckets, double q);

}  // namespace ferry::observe
