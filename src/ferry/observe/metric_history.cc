#include "ferry/observe/metric_history.h"

#include <algorithm>
#include <cmath>

namespace ferry::observe {
namespace {

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Milliseconds rounded to the microsecond: finer is noise in a chart.
nlohmann::json milliseconds(const std::optional<double>& seconds) {
  if (!seconds) return nullptr;
  return std::round(*seconds * 1e6) / 1e3;
}

}  // namespace

MetricHistory::MetricHistory(std::shared_ptr<const Clock> clock,
                             std::vector<std::string> integrations, std::size_t capacity)
    : clock_(std::move(clock)), capacity_(std::max<std::size_t>(capacity, 1)) {
  for (const auto& key : integrations) {
    metrics_.push_back(&integration_metrics(key));
    last_.push_back(read_totals(*metrics_.back()));
  }
  ring_.reserve(capacity_);
}

MetricHistory::Totals MetricHistory::read_totals(const IntegrationMetrics& metrics) {
  Totals totals;
  totals.latency_buckets = metrics.proxy_duration->snapshot().buckets;
  totals.errors = metrics.responses_of("5xx").value() + metrics.responses_of("error").value();
  totals.refresh_failures = metrics.refresh_failure->value();
  totals.refreshes = metrics.refresh_success->value() + totals.refresh_failures;
  return totals;
}

MetricHistory::Interval MetricHistory::difference(const IntegrationMetrics& metrics,
                                                  const Totals& before, const Totals& now) {
  Interval out;
  std::vector<std::uint64_t> buckets(now.latency_buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    buckets[i] = now.latency_buckets[i] - before.latency_buckets[i];
    out.requests += buckets[i];
  }
  out.errors = now.errors - before.errors;
  out.refreshes = now.refreshes - before.refreshes;
  out.refresh_failures = now.refresh_failures - before.refresh_failures;
  const auto& bounds = metrics.proxy_duration->upper_bounds();
  out.p50_ms = estimate_quantile(bounds, buckets, 0.5);
  out.p99_ms = estimate_quantile(bounds, buckets, 0.99);
  return out;
}

void MetricHistory::sample() {
  Point point;
  point.timestamp = unix_seconds(clock_->now());
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    Totals now = read_totals(*metrics_[i]);
    point.integrations.push_back(difference(*metrics_[i], last_[i], now));
    last_[i] = std::move(now);
  }
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(point));
  } else {
    ring_[next_] = std::move(point);
  }
  next_ = (next_ + 1) % capacity_;
}

nlohmann::json MetricHistory::to_json() const {
  std::lock_guard lock(mu_);
  nlohmann::json timestamps = nlohmann::json::array();
  std::vector<nlohmann::json> series(metrics_.size());
  for (auto& s : series) {
    s = {{"requests", nlohmann::json::array()},  {"errors", nlohmann::json::array()},
         {"p50_ms", nlohmann::json::array()},    {"p99_ms", nlohmann::json::array()},
         {"refreshes", nlohmann::json::array()}, {"refresh_failures", nlohmann::json::array()}};
  }
  // Oldest first: once the ring is full, the oldest point is the one written next.
  const std::size_t start = ring_.size() < capacity_ ? 0 : next_;
  for (std::size_t n = 0; n < ring_.size(); ++n) {
    const Point& point = ring_[(start + n) % ring_.size()];
    timestamps.push_back(point.timestamp);
    for (std::size_t i = 0; i < series.size(); ++i) {
      const Interval& interval = point.integrations[i];
      series[i]["requests"].push_back(interval.requests);
      series[i]["errors"].push_back(interval.errors);
      series[i]["p50_ms"].push_back(milliseconds(interval.p50_ms));
      series[i]["p99_ms"].push_back(milliseconds(interval.p99_ms));
      series[i]["refreshes"].push_back(interval.refreshes);
      series[i]["refresh_failures"].push_back(interval.refresh_failures);
    }
  }
  nlohmann::json integrations = nlohmann::json::object();
  for (std::size_t i = 0; i < series.size(); ++i) {
    integrations[metrics_[i]->integration] = std::move(series[i]);
  }
  return {{"interval_seconds", kInterval.count()},
          {"timestamps", std::move(timestamps)},
          {"integrations", std::move(integrations)}};
}

}  // namespace ferry::observe
