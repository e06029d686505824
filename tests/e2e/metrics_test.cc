// GET /metrics and the dashboard's overview through the real binaries: `ferry serve` in front
// of `fake-atlassian`. The exposition is read with the reference parser (Python's
// prometheus_client, tests/e2e/check_prometheus_text.py), not with string matching alone.
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-metrics-secret-key-0123456789";
// A connection id no label may ever hold.
constexpr const char* kConnectionId = "conn-metrics-7f3a91";
constexpr const char* kMyself =
    "/proxy/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/3/myself";

const std::vector<std::string> kHistograms = {
    "ferry_proxy_request_duration_seconds", "ferry_proxy_request_attempts",
    "ferry_upstream_retry_wait_seconds", "ferry_token_refresh_duration_seconds",
    "ferry_action_run_duration_seconds"};
const std::vector<std::string> kOtherFamilies = {"ferry_upstream_responses_total",
                                                 "ferry_token_refreshes_total",
                                                 "ferry_action_runs_total",
                                                 "ferry_action_limit_kills_total",
                                                 "ferry_activity_queue_depth",
                                                 "ferry_activity_entries_dropped_total",
                                                 "ferry_upstream_attempts_total",
                                                 "ferry_upstream_retries_total",
                                                 "ferry_upstream_retry_wait_milliseconds_total",
                                                 "ferry_upstream_retries_exhausted_total",
                                                 "ferry_upstream_quota_pauses_total",
                                                 "ferry_upstream_quota_pause_milliseconds_total",
                                                 "ferry_webhook_attempts_total"};

// A folder with one integration on `fake`; `ferry_yaml` adds lines to ferry.yaml.
std::string folder_for(const Fake& fake, const std::string& ferry_yaml = "") {
  const std::string dir = make_temp_dir("ferry-metrics");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n" + ferry_yaml);
  write_file(dir + "/integrations.yaml",
             "integrations:\n" + fake_jira_integration("jira", fake.base_url()));
  return dir;
}

Headers secret() { return {{"Authorization", std::string("Bearer ") + kSecret}}; }

std::string scrape(RunningFerry& ferry) {
  auto reply = ferry.client().get("/metrics", secret());
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.body;
}

// Runs check_prometheus_text.py on `text` with `args`; its report on failure.
RunResult check(const std::string& text, std::vector<std::string> args) {
  const std::string file = make_temp_dir("ferry-metrics-text") + "/metrics.txt";
  write_file(file, text);
  // Debian's interpreter: python3-prometheus-client installs for it.
  args.insert(args.begin(),
              {PYTHON3_BINARY, FERRY_SOURCE_DIR "/tests/e2e/check_prometheus_text.py", file});
  return run(std::move(args));
}

std::vector<std::string> family_args() {
  std::vector<std::string> args;
  for (const auto& name : kHistograms) args.insert(args.end(), {"--histogram", name});
  for (const auto& name : kOtherFamilies) args.insert(args.end(), {"--family", name});
  return args;
}

TEST(Metrics, EveryFamilyIsListedBeforeTheFirstCall) {
  Fake fake;
  RunningFerry ferry(folder_for(fake));
  EXPECT_EQ(ferry.client().get("/metrics").status, 401);
  const std::string text = scrape(ferry);
  // The configured integration's series exist at zero.
  for (const char* line :
       {"ferry_proxy_request_duration_seconds_count{integration=\"jira\"} 0\n",
        "ferry_upstream_responses_total{integration=\"jira\",status_class=\"5xx\"} 0\n",
        "ferry_token_refreshes_total{integration=\"jira\",outcome=\"failure\"} 0\n",
        "ferry_action_runs_total{integration=\"jira\",outcome=\"limit_killed\"} 0\n",
        "ferry_action_limit_kills_total{limit=\"memory\"} 0\n",
        "ferry_upstream_retry_wait_seconds_count 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  const RunResult checked = check(text, family_args());
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
}

// `metrics_auth: none`: a scraper without credentials reads every family straight after
// start-up; without that line (the default) it gets 401.
TEST(Metrics, MetricsAuthNoneServesEveryFamilyWithoutAKeyFromStartUp) {
  Fake fake;
  {
    RunningFerry open(folder_for(fake, "metrics_auth: none\n"));
    auto reply = open.client().get("/metrics");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    for (const char* line :
         {"# TYPE ferry_webhook_attempts_total counter\n",
          "ferry_webhook_attempts_total{outcome=\"dead\"} 0\n",
          "ferry_upstream_attempts_total 0\n", "ferry_activity_entries_dropped_total 0\n",
          "ferry_proxy_request_duration_seconds_count{integration=\"jira\"} 0\n"}) {
      EXPECT_NE(reply.body.find(line), std::string::npos) << line << "\n" << reply.body;
    }
    const RunResult checked = check(reply.body, family_args());
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
    // The other backend routes still need the key.
    EXPECT_EQ(open.client().get("/integrations").status, 401);
  }
  RunningFerry guarded(folder_for(fake));
  auto anonymous = guarded.client().get("/metrics");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(json::parse(anonymous.body)["error"]["code"], "unauthorized");
  EXPECT_EQ(guarded.client().get("/metrics", secret()).status, 200);
}

TEST(Metrics, AProxiedCallShowsUpInTheHistogramsAndTheOverview) {
  Fake fake;
  const json tokens = fake.issue_tokens();
  RunningFerry ferry(folder_for(fake));
  // Due within the refresh margin: the first call renews the tokens first.
  auto connection = with_issued_tokens(tokens);
  connection.connection_id = kConnectionId;
  connection.expires_at = iso8601_in(std::chrono::seconds(60));
  import_connection(ferry, kSecret, connection);

  const Headers headers = connection_headers(kSecret, "jira", kConnectionId);
  for (int i = 0; i < 3; ++i) {
    auto reply = ferry.client().get(kMyself, headers);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }
  // An unknown integration is refused before going upstream: it never becomes a label.
  Headers unknown = connection_headers(kSecret, "not-configured-x", kConnectionId);
  EXPECT_EQ(ferry.client().get(kMyself, unknown).status, 404);

  std::vector<std::string> args = family_args();
  args.insert(args.end(),
              {"--forbid-label-value", kConnectionId, "--forbid-label-value", "not-configured-x",
               "--positive", "ferry_proxy_request_duration_seconds_count{integration=jira}",
               "--positive", "ferry_proxy_request_attempts_bucket{integration=jira,le=1}",
               "--positive", "ferry_upstream_responses_total{integration=jira,status_class=2xx}",
               "--positive", "ferry_token_refreshes_total{integration=jira,outcome=success}",
               "--positive", "ferry_token_refresh_duration_seconds_count{integration=jira}"});
  const RunResult checked = check(scrape(ferry), args);
  EXPECT_EQ(checked.exit_code, 0) << checked.output;

  // The overview: the secret key, then a point with the calls once the history has sampled
  // (every 10 s).
  EXPECT_EQ(ferry.client().get("/dashboard/api/overview").status, 401);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json overview;
  std::uint64_t requests = 0;
  while (requests == 0 && std::chrono::steady_clock::now() < give_up) {
    auto reply = ferry.client().get("/dashboard/api/overview", secret());
    ASSERT_EQ(reply.status, 200) << reply.body;
    overview = json::parse(reply.body);
    for (const auto& n : overview["integrations"]["jira"]["requests"]) requests += n.get<int>();
    if (requests == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(overview["interval_seconds"], 10);
  EXPECT_EQ(requests, 3u) << overview.dump();
  const json& jira = overview["integrations"]["jira"];
  ASSERT_EQ(jira["p50_ms"].size(), overview["timestamps"].size()) << overview.dump();
  const std::size_t last = jira["p50_ms"].size() - 1;
  EXPECT_TRUE(jira["p50_ms"][last].is_number()) << overview.dump();
  EXPECT_TRUE(jira["p99_ms"][last].is_number()) << overview.dump();
  EXPECT_EQ(jira["refreshes"][last], 1) << overview.dump();
  EXPECT_EQ(jira["errors"][last], 0) << overview.dump();
}

}  // namespace
}  // namespace ferry::testing
