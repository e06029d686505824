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

// Token requests the fake has received since its last stats reset, counted on arrival
// (before any fault delay), whatever their grant type.
int token_requests_received(Fake& fake) {
  return fake.admin("GET", "stats")["requests_by_path"].value("/oauth/token", 0);
}

// Polls `done` every 20 ms until it holds or `timeout` passes; whether it held.
template <typename Done>
bool poll_until(Done done, std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// GET user-1 through instance `i` with a forced refresh: the JSON (credentials with the
// refresh token), failing the running test unless it answered 200.
json force_refresh(ScaleOutCluster& cluster, int i) {
  const auto reply = cluster.instance(i).client().get(
      kUser1 + "&force_refresh=true&refresh_token=true", cluster.api_headers());
  EXPECT_EQ(reply.status, 200) << "instance " << i << ": " << reply.body;
  return json::parse(reply.body, nullptr, false);
}

// Every round kills one instance while it holds user-1's refresh claim and its token
// request is in flight at the fake; the calls on the other instances must all succeed, and
// at the end the connection's refresh token must still be one the fake accepts.
//
// The fake's reuse leeway is Atlassian's own (600 s), and it is what makes this survivable:
// the killed instance's request still reaches the fake, which rotates the refresh token,
// but the new one dies with the instance before Ferry can store it. The next holder of the
// claim can only send the refresh token it finds in the database, now spent; inside the
// leeway the fake answers it with a fresh pair, after it (or with a leeway of 0) the fake
// answers invalid_grant and revokes the whole grant. No client could avoid that loss with
// a leeway of 0: the grant lives only in a response that never arrives. The whole test runs
// well inside 600 s.
TEST(ScaleOut, InstanceKilledWhileRefreshingLosesNoGrant) {
  if (!postgres_test_url()) GTEST_SKIP() << kNoPostgres;
  TestDatabases databases(*postgres_test_url());
  ScaleOutOptions options;
  options.fake_args = {"--leeway-seconds", "600"};
  ScaleOutCluster cluster(databases.url("ferry"), options);
  ASSERT_FALSE(HasFailure());
  Fake& fake = cluster.fake();
  // Every token the fake issues is due for Ferry at once (it renews within 15 minutes of
  // expiry), so every call on every instance renews the connection first, whatever any
  // instance has cached: each process runs one renewal at a time per connection, and the
  // claim lets one process at a time send it.
  fake.admin("POST", "config", {{"access_token_seconds", 120}});
  import_user1(cluster, 0, 120s);
  // Slow enough that the victim is killed before its token request is answered.
  fake.fault({{"path_prefix", "/oauth/token"},
              {"action", "delay"},
              {"delay_ms", 300},
              {"count", -1}});
  fake.admin("POST", "reset-stats");

  constexpr int kRounds = 20;
  constexpr int kCallsPerSurvivor = 8;
  int killed_mid_refresh = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int victim = round % cluster.size();
    const int received = token_requests_received(fake);
    CallsInFlight victim_call(
        {{cluster.port(victim), "GET", kMyself, cluster.connection_headers("user-1"), ""}}, 30s);
    // The fake counts a request on arrival, before its delay: from here the victim holds
    // the claim and waits for the answer.
    ASSERT_TRUE(poll_until([&] { return token_requests_received(fake) > received; }, 30s))
        << "the victim sent no token request";

    std::vector<Call> calls;
    for (int i = 0; i < cluster.size(); ++i) {
      if (i == victim) continue;
      for (int n = 0; n < kCallsPerSurvivor; ++n) {
        calls.push_back({cluster.port(i), "GET", kMyself, cluster.connection_headers("user-1"), ""});
      }
    }
    CallsInFlight survivors(std::move(calls), 60s);
    EXPECT_TRUE(survivors.wait_until_written(10s));
    cluster.kill_instance(victim);

    EXPECT_EQ(first_failure(survivors.results(), 200), "");
    // -1: the victim died before answering, as the round intends. A 200 means it finished
    // its refresh before the kill (a slow machine); the round still counts, just not as a
    // kill in mid-refresh.
    if (victim_call.results()[0].status == -1) ++killed_mid_refresh;
    cluster.restart_instance(victim);
    ASSERT_FALSE(HasFailure());
  }
  // Not a performance check: a round only tests a kill in mid-refresh when the kill comes
  // within the fake's 300 ms delay, which a few rounds may miss on a loaded machine.
  EXPECT_GE(killed_mid_refresh, kRounds / 2);

  // Whatever refresh token the database holds now, the fake still takes it, through every
  // instance. A revoked grant would refuse even its newest token.
  std::string previous;
  for (int i = 0; i < cluster.size(); ++i) {
    const json renewed = force_refresh(cluster, i);
    const std::string refresh_token = renewed["credentials"].value("refresh_token", "");
    EXPECT_FALSE(refresh_token.empty()) << renewed.dump();
    EXPECT_NE(refresh_token, previous);
    EXPECT_TRUE(renewed["errors"].empty()) << renewed.dump();
    previous = refresh_token;
  }

  // Token requests: per round the victim's (answered to no one) and one renewal per
  // surviving process (its calls wait together for its one renewal; the next process to
  // hold the claim finds the renewed token due too and renews again), plus the three forced
  // ones. A second renewal in one process, or one per call, would show here.
  const json stats = fake.admin("GET", "stats");
  const int refreshes = stats["token_requests"]["refresh_token"];
  EXPECT_EQ(stats["token_requests"]["authorization_code"], 0) << stats.dump();
  EXPECT_EQ(refreshes, kRounds * cluster.size() + cluster.size()) << stats.dump();
  std::printf("rounds killed in mid-refresh: %d of %d; refresh requests: %d\n",
              killed_mid_refresh, kRounds, refreshes);
}

}  // namespace
}  // namespace ferry::testing
