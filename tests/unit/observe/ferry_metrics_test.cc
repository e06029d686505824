#include "ferry/observe/ferry_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::observe {
namespace {

TEST(FerryMetrics, NamesStatusClasses) {
  struct Case {
    int status;
    std::string_view name;
  };
  for (const Case& c : {Case{0, "error"}, Case{99, "error"}, Case{100, "1xx"}, Case{204, "2xx"},
                        Case{302, "3xx"}, Case{429, "4xx"}, Case{503, "5xx"}, Case{599, "5xx"},
                        Case{600, "error"}, Case{-1, "error"}}) {
    EXPECT_EQ(status_class(c.status), c.name) << c.status;
  }
}

TEST(FerryMetrics, ListsEveryFamilyAndEachIntegrationsSeriesAtStart) {
  const std::vector<std::string> integrations = {"fm-start-a", "fm-start-b"};
  register_ferry_metrics(integrations);
  const std::string text = render_prometheus();
  for (const char* family :
       {"ferry_proxy_request_duration_seconds histogram", "ferry_proxy_request_attempts histogram",
        "ferry_upstream_responses_total counter", "ferry_token_refreshes_total counter",
        "ferry_token_refresh_duration_seconds histogram", "ferry_action_runs_total counter",
        "ferry_action_run_duration_seconds histogram", "ferry_action_limit_kills_total counter",
        "ferry_upstream_retry_wait_seconds histogram", "ferry_activity_queue_depth gauge",
        "ferry_activity_entries_dropped_total counter", "ferry_upstream_attempts_total counter",
        "ferry_upstream_retries_total counter",
        "ferry_upstream_retry_wait_milliseconds_total counter",
        "ferry_upstream_retries_exhausted_total counter",
        "ferry_upstream_quota_pauses_total counter",
        "ferry_upstream_quota_pause_milliseconds_total counter"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  }
  for (const char* line :
       {"ferry_proxy_request_duration_seconds_bucket{integration=\"fm-start-a\",le=\"+Inf\"} 0\n",
        "ferry_proxy_request_duration_seconds_count{integration=\"fm-start-b\"} 0\n",
        "ferry_upstream_responses_total{integration=\"fm-start-a\",status_class=\"error\"} 0\n",
        "ferry_token_refreshes_total{integration=\"fm-start-b\",outcome=\"failure\"} 0\n",
        "ferry_action_runs_total{integration=\"fm-start-a\",outcome=\"limit_killed\"} 0\n",
        "ferry_action_limit_kills_total{limit=\"cpu_time\"} ",
        "ferry_action_limit_kills_total{limit=\"memory\"} "}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

// Connection-event deliveries are counted from start-up too (a scrape before the first event
// sees every outcome at zero), and each unlabelled series has its sample from the start.
TEST(FerryMetrics, ListsWebhookOutcomesAndEveryUnlabelledSeriesAtStart) {
  register_ferry_metrics({});
  const std::string text = render_prometheus();
  EXPECT_NE(text.find("# HELP ferry_webhook_attempts_total "), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE ferry_webhook_attempts_total counter\n"), std::string::npos);
  for (std::string_view outcome : kWebhookOutcomes) {
    const std::string line = "\nferry_webhook_attempts_total{outcome=\"" + std::string(outcome) +
                             "\"} ";
    EXPECT_NE(text.find(line), std::string::npos) << outcome;
  }
  EXPECT_EQ(&webhook_attempts("dead"), &webhook_attempts("dead"));
  for (const char* name :
       {"ferry_upstream_attempts_total", "ferry_upstream_retry_wait_milliseconds_total",
        "ferry_upstream_retries_exhausted_total", "ferry_upstream_quota_pauses_total",
        "ferry_upstream_quota_pause_milliseconds_total", "ferry_activity_queue_depth",
        "ferry_activity_entries_dropped_total", "ferry_upstream_retry_wait_seconds_count"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
}

TEST(FerryMetrics, RecordsAProxiedCallUnderItsIntegration) {
  const IntegrationMetrics& m = integration_metrics("fm-call");
  EXPECT_EQ(&m, &integration_metrics("fm-call"));
  m.record_proxy_call(503, 3, std::chrono::milliseconds(120));
  m.record_proxy_call(0, 1, std::chrono::milliseconds(30));
  m.record_proxy_call(200, 1, std::chrono::milliseconds(8));
  EXPECT_EQ(m.responses_of("5xx").value(), 1u);
  EXPECT_EQ(m.responses_of("error").value(), 1u);
  EXPECT_EQ(m.responses_of("2xx").value(), 1u);
  const auto latency = m.proxy_duration->snapshot();
  EXPECT_EQ(latency.count(), 3u);
  EXPECT_NEAR(latency.sum, 0.158, 1e-9);
  EXPECT_EQ(m.proxy_attempts->snapshot().cumulative(),
            (std::vector<std::uint64_t>{2, 2, 3, 3, 3, 3, 3, 3, 3}));
  const std::string text = render_prometheus();
  EXPECT_NE(text.find("ferry_proxy_request_duration_seconds_bucket{integration=\"fm-call\","
                      "le=\"0.01\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ferry_proxy_request_attempts_bucket{integration=\"fm-call\",le=\"+Inf\"} "
                      "3\n"),
            std::string::npos)
      << text;
}

TEST(FerryMetrics, RecordsRefreshesAndActionRuns) {
  const IntegrationMetrics& m = integration_metrics("fm-work");
  m.record_refresh(true, std::chrono::milliseconds(200));
  m.record_refresh(false, std::chrono::milliseconds(40));
  m.record_action_run(ActionRunOutcome::limit_killed, std::chrono::seconds(10));
  m.record_action_run(ActionRunOutcome::success, std::chrono::milliseconds(5));
  EXPECT_EQ(m.refresh_success->value(), 1u);
  EXPECT_EQ(m.refresh_failure->value(), 1u);
  EXPECT_EQ(m.refresh_duration->snapshot().count(), 2u);
  EXPECT_EQ(m.action_runs[static_cast<int>(ActionRunOutcome::limit_killed)]->value(), 1u);
  EXPECT_EQ(m.action_runs[static_cast<int>(ActionRunOutcome::success)]->value(), 1u);
  EXPECT_EQ(m.action_runs[static_cast<int>(ActionRunOutcome::error)]->value(), 0u);
  EXPECT_EQ(m.action_duration->snapshot().count(), 2u);
}

}  // namespace
}  // namespace ferry::observe
