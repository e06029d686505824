// Several `ferry serve` processes on one PostgreSQL database (ScaleOutCluster), with one
// fake-atlassian behind them: one token refresh across processes, instances killed in the
// middle of a refresh, and the database stopped under traffic. Every case needs PostgreSQL
// (FERRY_TEST_POSTGRES_URL) and is skipped without it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "concurrent_calls.h"
#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "postgres_databases.h"
#include "scale_out_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using store::testing::kNoPostgres;
using store::testing::postgres_test_url;
using store::testing::TestDatabases;
using namespace std::chrono_literals;

const std::string kMyself =
    std::string("/proxy/ex/jira/") + kFakeCloudId + "/rest/api/3/myself";
const std::string kUser1 = "/connections/user-1?provider_config_key=jira";

std::string iso8601_in(std::chrono::seconds from_now) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Imports user-1 with tokens the fake really issued, expiring `expires_in` from now.
void import_user1(ScaleOutCluster& cluster, int via, std::chrono::seconds expires_in) {
  auto connection = with_issued_tokens(cluster.fake().issue_tokens());
  connection.expires_at = iso8601_in(expires_in);
  import_connection(cluster.instance(via), cluster.secret_key(), connection);
}

std::string first_failure(const std::vector<CallResult>& results, int expected_status) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != expected_status) {
      return "call " + std::to_string(i) + ": " + std::to_string(results[i].status) + " " +
             results[i].body;
    }
  }
  return "";
}

TEST(ScaleOut, ThreeHundredCallsOnThreeInstancesMakeOneTokenRequest) {
  if (!postgres_test_url()) GTEST_SKIP() << kNoPostgres;
  TestDatabases databases(*postgres_test_url());
  ScaleOutCluster cluster(databases.url("ferry"));
  ASSERT_FALSE(HasFailure());
  // Due for Ferry (inside its 15-minute margin): the first call anywhere must renew it.
  import_user1(cluster, 0, 60s);
  // A slow token endpoint keeps the refresh in flight while every call arrives.
  cluster.fake().fault({{"path_prefix", "/oauth/token"}, {"action", "delay"}, {"delay_ms", 300}});
  cluster.fake().admin("POST", "reset-stats");

  constexpr int kCalls = 300;
  std::vector<Call> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back({cluster.port(i % cluster.size()), "GET", kMyself,
                     cluster.connection_headers("user-1"), ""});
  }
  const auto results = make_calls_at_once(std::move(calls), 60s);

  EXPECT_EQ(first_failure(results, 200), "");
  // The renewed token is good for an hour: every other process, once it holds the claim,
  // re-reads the row and finds nothing left to do.
  const json stats = cluster.fake().admin("GET", "stats");
  EXPECT_EQ(stats["token_requests"]["refresh_token"], 1) << stats.dump();
  EXPECT_EQ(stats["token_requests"]["total"], 1) << stats.dump();
}

}  // namespace
}  // namespace ferry::testing
