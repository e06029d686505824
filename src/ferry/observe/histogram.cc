#include "ferry/observe/histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ferry::observe {

std::uint64_t HistogramSnapshot::count() const {
  std::uint64_t total = 0;
  for (auto n : buckets) total += n;
  return total;
}

std::vector<std::uint64_t> HistogramSnapshot::cumulative() const {
  std::vector<std::uint64_t> out;
  out.reserve(buckets.size());
  std::uint64_t running = 0;
  for (auto n : buckets) out.push_back(running += n);
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  assert(std::all_of(bounds_.begin(), bounds_.end(), [](double b) { return std::isfinite(b); }));
  assert(std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<>()) ==
         bounds_.end());
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  buckets_[bucket_index(bounds_, value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot out;
  out.buckets.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    out.buckets.push_back(buckets_[i].load(std::memory_order_relaxed));
  }
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

std::size_t bucket_index(std::span<const double> upper_bounds, double value) {
  // `le` is inclusive: 0.1 is counted in the le="0.1" bucket.
  auto it = std::lower_bound(upper_bounds.begin(), upper_bounds.end(), value);
  return static_cast<std::size_t>(it - upper_bounds.begin());
}

std::optional<double> estimate_quantile(std::span<const double> upper_bounds,
                                        std::span<const std::uint64_t> buckets, double q) {
  assert(buckets.size() == upper_bounds.size() + 1);
  std::uint64_t total = 0;
  for (auto n : buckets) total += n;
  if (total == 0 || upper_bounds.empty()) return std::nullopt;
  const double rank = q * static_cast<double>(total);
  std::uint64_t below = 0;  // observations in the buckets before i
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::uint64_t here = buckets[i];
    if (here > 0 && static_cast<double>(below + here) >= rank) {
      if (i == upper_bounds.size()) return upper_bounds.back();
      const double lower = i == 0 ? 0.0 : upper_bounds[i - 1];
      const double upper = upper_bounds[i];
      const double within = (rank - static_cast<double>(below)) / static_cast<double>(here);
      return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
    }
    below += here;
  }
  return upper_bounds.back();
}

}  // namespace ferry::observe
