#include "ferry/observe/metric_history.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ferry::observe {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::int64_t unix_seconds(const FakeClock& clock) {
  return std::chrono::duration_cast<seconds>(clock.now().time_since_epoch()).count();
}

TEST(MetricHistory, StartsEmptyWithEveryIntegrationListed) {
  auto clock = std::make_shared<FakeClock>();
  MetricHistory history(clock, {"mh-empty-a", "mh-empty-b"});
  const json out = history.to_json();
  EXPECT_EQ(out["interval_seconds"], 10);
  EXPECT_EQ(out["timestamps"], json::array());
  EXPECT_EQ(out["integrations"]["mh-empty-a"]["requests"], json::array());
  EXPECT_TRUE(out["integrations"].contains("mh-empty-b"));
}

TEST(MetricHistory, OnePointPerSampleWithTheIntervalsDeltas) {
  auto clock = std::make_shared<FakeClock>();
  const IntegrationMetrics& m = integration_metrics("mh-deltas");
  m.record_proxy_call(200, 1, milliseconds(3));  // before the history: not counted
  MetricHistory history(clock, {"mh-deltas"});

  // Interval 1: 10 calls of 30 ms (bucket 0.025..0.05), one a 502, one with no answer; a
  // refresh that failed and one that worked.
  for (int i = 0; i < 8; ++i) m.record_proxy_call(200, 1, milliseconds(30));
  m.record_proxy_call(502, 2, milliseconds(30));
  m.record_proxy_call(0, 3, milliseconds(30));
  m.record_proxy_call(404, 1, milliseconds(30));  // a 4xx is not an error here
  m.record_refresh(false, milliseconds(100));
  m.record_refresh(true, milliseconds(100));
  clock->advance(seconds(10));
  history.sample();
  const auto first = unix_seconds(*clock);
  // Interval 2: nothing.
  clock->advance(seconds(10));
  history.sample();
  // Interval 3: 100 calls: 98 of 7 ms (0.005..0.01) and 2 of 3 s (2.5..5).
  for (int i = 0; i < 98; ++i) m.record_proxy_call(200, 1, milliseconds(7));
  for (int i = 0; i < 2; ++i) m.record_proxy_call(200, 1, seconds(3));
  clock->advance(seconds(10));
  history.sample();

  const json out = history.to_json();
  EXPECT_EQ(out["timestamps"], json::array({first, first + 10, first + 20}));
  const json& s = out["integrations"]["mh-deltas"];
  EXPECT_EQ(s["requests"], json::array({11, 0, 100}));
  EXPECT_EQ(s["errors"], json::array({2, 0, 0}));
  EXPECT_EQ(s["refreshes"], json::array({2, 0, 0}));
  EXPECT_EQ(s["refresh_failures"], json::array({1, 0, 0}));
  // Interval 1: rank 5.5 of 11, all in (25, 50] ms -> 25 + 25 * 5.5/11.
  EXPECT_NEAR(s["p50_ms"][0].get<double>(), 37.5, 1e-6);
  EXPECT_NEAR(s["p99_ms"][0].get<double>(), 25 + 25 * 10.89 / 11, 1e-3);
  EXPECT_TRUE(s["p50_ms"][1].is_null());
  EXPECT_TRUE(s["p99_ms"][1].is_null());
  // Interval 3: rank 50 of 98 in (5, 10] ms; rank 99 is the first of the 2 in (2.5, 5] s.
  EXPECT_NEAR(s["p50_ms"][2].get<double>(), 5 + 5 * 50.0 / 98, 1e-3);
  EXPECT_NEAR(s["p99_ms"][2].get<double>(), 2500 + 2500 * 1.0 / 2, 1e-3);
}

TEST(MetricHistory, KeepsTheNewestPointsWhenTheRingWraps) {
  auto clock = std::make_shared<FakeClock>();
  const IntegrationMetrics& m = integration_metrics("mh-wrap");
  MetricHistory history(clock, {"mh-wrap"}, 4);
  std::vector<std::int64_t> timestamps;
  for (int i = 1; i <= 6; ++i) {
    for (int n = 0; n < i; ++n) m.record_proxy_call(200, 1, milliseconds(1));
    clock->advance(MetricHistory::kInterval);
    history.sample();
    timestamps.push_back(unix_seconds(*clock));
  }
  const json out = history.to_json();
  EXPECT_EQ(out["timestamps"],
            json::array({timestamps[2], timestamps[3], timestamps[4], timestamps[5]}));
  EXPECT_EQ(out["integrations"]["mh-wrap"]["requests"], json::array({3, 4, 5, 6}));
}

TEST(MetricHistory, HoldsAnHourAtTheDefaultInterval) {
  EXPECT_EQ(MetricHistory::kInterval * MetricHistory::kCapacity, std::chrono::hours(1));
}

}  // namespace
}  // namespace ferry::observe
