#include "ferry/observe/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "ferry/observe/ferry_metrics.h"

namespace ferry::observe {
namespace {

TEST(Metrics, SameNameAndLabelGiveTheSameCounter) {
  Counter& a = counter("test_same_total", "A test counter.", "reason", "x");
  Counter& b = counter("test_same_total", "ignored help", "reason", "x");
  Counter& c = counter("test_same_total", "A test counter.", "reason", "y");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  const auto before = a.value();
  b.add(3);
  EXPECT_EQ(a.value(), before + 3);
}

TEST(Metrics, CountsFromManyThreadsWithoutLosingAny) {
  Counter& hits = counter("test_threads_total", "Hits from threads.");
  const auto before = hits.value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 10'000; ++i) counter("test_threads_total", "Hits from threads.").add();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(hits.value(), before + 40'000);
}

TEST(Metrics, RendersThePrometheusTextFormat) {
  counter("test_render_total", "Things \\ counted\nhere.", "reason", "b").add(2);
  counter("test_render_total", "Things counted.", "reason", "a\"q").add(1);
  counter("test_render_plain_total", "Plain.").add(5);
  const std::string text = render_prometheus();
  const std::string expected_family =
      "# HELP test_render_total Things \\\\ counted\\nhere.\n"
      "# TYPE test_render_total counter\n"
      "test_render_total{reason=\"a\\\"q\"} 1\n"
      "test_render_total{reason=\"b\"} 2\n";
  EXPECT_NE(text.find(expected_family), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE test_render_plain_total counter\ntest_render_plain_total 5\n"),
            std::string::npos)
      << text;
  // Families come out sorted by name.
  EXPECT_LT(text.find("test_render_plain_total"), text.find("test_render_total"));
}

TEST(Metrics, RendersGaugesAndHistogramsWithSeveralLabels) {
  gauge("test_depth", "A level.").set(7);
  gauge("test_depth", "A level.").add(-2);
  Histogram& h = histogram("test_wait_seconds", "Waits.", {0.5, 2},
                           {{"integration", "jira"}, {"status_class", "5xx"}});
  h.observe(0.25);
  h.observe(1);
  h.observe(9);
  const std::string text = render_prometheus();
  EXPECT_NE(text.find("# TYPE test_depth gauge\ntest_depth 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP test_wait_seconds Waits.\n"
                      "# TYPE test_wait_seconds histogram\n"
                      "test_wait_seconds_bucket{integration=\"jira\",status_class=\"5xx\","
                      "le=\"0.5\"} 1\n"
                      "test_wait_seconds_bucket{integration=\"jira\",status_class=\"5xx\","
                      "le=\"2\"} 2\n"
                      "test_wait_seconds_bucket{integration=\"jira\",status_class=\"5xx\","
                      "le=\"+Inf\"} 3\n"
                      "test_wait_seconds_sum{integration=\"jira\",status_class=\"5xx\"} 10.25\n"
                      "test_wait_seconds_count{integration=\"jira\",status_class=\"5xx\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, ADeclaredFamilyIsListedBeforeItHasAnySeries) {
  declare_family("test_declared_total", "Declared early.", MetricType::counter, {"reason"});
  declare_family("test_declared_seconds", "Declared early.", MetricType::histogram, {"integration"},
                 {1, 2});
  const std::string text = render_prometheus();
  EXPECT_NE(text.find("# HELP test_declared_total Declared early.\n"
                      "# TYPE test_declared_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE test_declared_seconds histogram\n"), std::string::npos) << text;
  // Its first series gets the declared bounds.
  Histogram& h = histogram("test_declared_seconds", "", {}, {{"integration", "a"}});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2}));
}

TEST(Metrics, UpstreamCountersAppearUnderTheirNames) {
  upstream_attempts().add();
  upstream_retries("rate_limited").add();
  upstream_retry_wait_ms().add(1500);
  const std::string text = render_prometheus();
  for (const char* line :
       {"ferry_upstream_attempts_total ", "ferry_upstream_retries_total{reason=\"rate_limited\"} ",
        "ferry_upstream_retry_wait_milliseconds_total "}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  EXPECT_GE(upstream_retry_wait_ms().value(), 1500u);
}

}  // namespace
}  // namespace ferry::observe
