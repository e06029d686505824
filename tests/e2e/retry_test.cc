// Retries and rate limits through the real binary against fake-atlassian's fault injection:
// what is retried, how long Ferry waits (read from the activity log, not the wall clock),
// what is never repeated, and what the caller sees when retries run out.
#include <future>
#include <thread>

#include "retry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// jira: 5 s per attempt, 4 attempts. fast: 1 s per attempt, 3 attempts (timeouts).
const std::vector<FakeIntegration> kIntegrations = {{"jira", 5, 4}, {"fast", 1, 3}};

std::string issue_path(const std::string& key) {
  return std::string("/ex/jira/") + kCloudId + "/rest/api/3/issue/" + key;
}
std::string create_path() { return std::string("/ex/jira/") + kCloudId + "/rest/api/3/issue"; }

const std::string kNewIssue =
    json{
        {"fields",
         {{"project", {{"key", "PROJ"}}}, {"summary", "Retry"}, {"issuetype", {{"name", "Task"}}}}}}
        .dump();

class Retries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new RetryEnvironment(kIntegrations); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(env_->ferry_port(), 0);
    env_->admin("DELETE", "faults");
    env_->admin("POST", "reset-stats");
    // A connection per test: a quota pause from one test never reaches the next.
    connection_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  HttpReply call(const std::string& method, const std::string& path,
                 const std::string& integration = "jira", const Headers& extra = {},
                 const std::string& body = "") {
    Headers headers = RetryEnvironment::proxy_headers(integration, connection_, extra);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return env_->ferry().request(method, "/proxy" + path, headers, body);
  }
  // The newest activity entry of this test's connection, once there are `calls` of them.
  json last_entry(std::size_t calls = 1) {
    auto logs = env_->proxy_logs(connection_, calls);
    EXPECT_FALSE(logs.empty());
    return logs.empty() ? json::object() : logs[0];
  }

  static RetryEnvironment* env_;
  std::string connection_;
};

RetryEnvironment* Retries::env_ = nullptr;

TEST_F(Retries, RateLimitedCallWaitsForRetryAfterThenSucceeds) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-1");
  env_->fault({{"path_prefix", path}, {"action", "rate_limit"}, {"retry_after", 1}});
  auto reply = call("GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["key"], "PROJ-1");
  EXPECT_EQ(env_->hits(path), 2);
  const auto entry = last_entry();
  EXPECT_EQ(entry["status"], 200);
  EXPECT_EQ(entry["attempts"], 2);
  const auto& attempts = entry["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u) << entry.dump();
  EXPECT_EQ(attempts[0]["status"], 429);
  EXPECT_EQ(attempts[0]["reason"], "rate_limited");
  EXPECT_GE(attempts[0]["wait_ms"].get<int>(), 1000);
  EXPECT_EQ(attempts[1]["status"], 200);
  EXPECT_TRUE(reply.header("x-ferry-retries-exhausted").empty());
}

TEST_F(Retries, RetryAfterAsAnHttpDateIsHonoured) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-2");
  env_->fault({{"path_prefix", path},
               {"action", "status"},
               {"status", 429},
               {"headers", {{"Retry-After", http_date_in(2s)}}}});
  auto reply = call("GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["reason"], "rate_limited");
  // The date has whole seconds: two seconds ahead is more than one second away.
  EXPECT_GE(attempts[0]["wait_ms"].get<int>(), 900);
  EXPECT_LE(attempts[0]["wait_ms"].get<int>(), 2000);
}

TEST_F(Retries, IsoRateLimitResetIsHonouredWithoutRetryAfter) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-3");
  env_->fault({{"path_prefix", path},
               {"action", "status"},
               {"status", 429},
               {"headers", {{"X-RateLimit-Reset", iso_in(2s)}}}});
  auto reply = call("GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_GE(attempts[0]["wait_ms"].get<int>(), 900);
  EXPECT_LE(attempts[0]["wait_ms"].get<int>(), 2000);
}

TEST_F(Retries, ServiceUnavailableTwiceThenSuccess) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-4");
  env_->fault({{"path_prefix", path}, {"action", "status"}, {"status", 503}, {"count", 2}});
  auto reply = call("GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(env_->hits(path), 3);
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_EQ(attempts[i]["status"], 503);
    EXPECT_EQ(attempts[i]["reason"], "service_unavailable");
    // Backoff without a hint: between base (50 ms) and the cap (400 ms).
    EXPECT_GE(attempts[i]["wait_ms"].get<int>(), 50);
    EXPECT_LE(attempts[i]["wait_ms"].get<int>(), 400);
  }
}

TEST_F(Retries, SlowUpstreamTimesOutThenSucceeds) {
  env_->connect("fast", connection_);
  const auto path = issue_path("PROJ-5");
  env_->fault({{"path_prefix", path}, {"action", "delay"}, {"delay_ms", 2500}});
  auto reply = call("GET", path, "fast");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["reason"], "timeout");
  EXPECT_TRUE(attempts[0].contains("error"));
  EXPECT_EQ(attempts[1]["status"], 200);
}

TEST_F(Retries, ConnectionResetThenSuccess) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-6");
  env_->fault({{"path_prefix", path}, {"action", "drop"}});
  auto reply = call("GET", path);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(env_->hits(path), 2);
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_TRUE(attempts[0].contains("error")) << attempts.dump();
  EXPECT_EQ(attempts[1]["status"], 200);
}

TEST_F(Retries, PostThatTimedOutIsNotRetried) {
  env_->connect("fast", connection_);
  env_->fault({{"path_prefix", create_path()},
               {"method", "POST"},
               {"action", "delay"},
               {"delay_ms", 2500}});
  auto reply = call("POST", create_path(), "fast", {}, kNewIssue);
  EXPECT_EQ(reply.status, 504) << reply.body;
  // The fake may well create the issue once its delay ends: a second POST would duplicate it.
  EXPECT_EQ(env_->hits(create_path()), 1);
  const auto entry = last_entry();
  EXPECT_EQ(entry["attempts"], 1);
  EXPECT_EQ(entry["details"]["attempts"][0]["reason"], "unsafe_method");
  EXPECT_TRUE(reply.header("x-ferry-retries-exhausted").empty());
}

TEST_F(Retries, PostThatWasRateLimitedIsRetried) {
  env_->connect("jira", connection_);
  env_->fault({{"path_prefix", create_path()},
               {"method", "POST"},
               {"action", "rate_limit"},
               {"retry_after", 1}});
  auto reply = call("POST", create_path(), "jira", {}, kNewIssue);
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(env_->hits(create_path()), 2);
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["status"], 429);
  EXPECT_GE(attempts[0]["wait_ms"].get<int>(), 1000);
}

TEST_F(Retries, RetryOnLetsAPostRepeatAListedStatus) {
  env_->connect("jira", connection_);
  env_->fault({{"path_prefix", create_path()},
               {"method", "POST"},
               {"action", "status"},
               {"status", 502},
               {"count", 2}});
  auto plain = call("POST", create_path(), "jira", {}, kNewIssue);
  EXPECT_EQ(plain.status, 502);
  auto opted_in = call("POST", create_path(), "jira", {{"Retry-On", "502"}}, kNewIssue);
  EXPECT_EQ(opted_in.status, 201) << opted_in.body;
  EXPECT_EQ(env_->hits(create_path()), 3);
}

TEST_F(Retries, RetriesZeroMeansASingleAttempt) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-7");
  env_->fault({{"path_prefix", path}, {"action", "rate_limit"}, {"retry_after", 1}});
  auto reply = call("GET", path, "jira", {{"Retries", "0"}});
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(env_->hits(path), 1);
  EXPECT_EQ(reply.header("x-ferry-retries-exhausted"), "true");
  EXPECT_EQ(last_entry()["attempts"], 1);
}

TEST_F(Retries, ExhaustedAttemptsReturnTheLastAnswerMarked) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-8");
  env_->fault({{"path_prefix", path},
               {"action", "status"},
               {"status", 503},
               {"count", -1},
               {"body", "still down"}});
  auto reply = call("GET", path);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "still down");
  EXPECT_EQ(reply.header("x-ferry-retries-exhausted"), "true");
  EXPECT_EQ(env_->hits(path), 4);  // jira allows 4 attempts
  const auto entry = last_entry();
  EXPECT_EQ(entry["attempts"], 4);
  EXPECT_EQ(entry["details"]["retries_exhausted"], true);
  EXPECT_EQ(entry["details"]["attempts"][3]["reason"], "attempts_exhausted");
}

TEST_F(Retries, SpentQuotaHoldsTheNextCallBeforeSendingIt) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-9");
  env_->fault({{"path_prefix", path},
               {"action", "status"},
               {"status", 200},
               {"body", {{"quota", "spent"}}},
               {"headers", {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", iso_in(3s)}}}});
  ASSERT_EQ(call("GET", path).status, 200);
  ASSERT_EQ(env_->hits(path), 1);

  auto second = std::async(std::launch::async, [&] { return call("GET", path); });
  // The reset is 2-3 s away: half a second in, the call must still be held back in Ferry.
  EXPECT_EQ(second.wait_for(500ms), std::future_status::timeout);
  EXPECT_EQ(env_->hits(path), 1);
  auto reply = second.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["key"], "PROJ-9");
  EXPECT_EQ(env_->hits(path), 2);
  const auto attempts = last_entry(2)["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_GE(attempts[0]["paused_ms"].get<int>(), 1000);
}

TEST_F(Retries, StreamedBodyIsSentOnceAndSaysSo) {
  env_->connect("jira", connection_);
  const auto path = issue_path("PROJ-10");
  env_->fault({{"path_prefix", path}, {"method", "PUT"}, {"action", "status"}, {"status", 503}});
  const std::string body = R"({"fields":{"summary":"streamed"}})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  std::string raw = "PUT /proxy" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : RetryEnvironment::proxy_headers("jira", connection_)) {
    raw += name + ": " + value + "\r\n";
  }
  raw += "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  raw += std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
  auto reply = env_->ferry().raw(raw);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("x-ferry-retry"), "not-replayable");
  EXPECT_EQ(env_->hits(path), 1);
  const auto entry = last_entry();
  EXPECT_EQ(entry["details"]["retry"], "not-replayable");
  EXPECT_EQ(entry["details"]["attempts"][0]["reason"], "not_replayable");
}

TEST_F(Retries, UnauthorizedGetsOneRefreshAndOneRetry) {
  env_->connect("jira", connection_);
  env_->admin("POST", "revoke", {{"access_token", env_->last_access_token()}});
  const auto path = issue_path("PROJ-11");
  auto reply = call("GET", path);
  // Whether the forced refresh gets a new token is the credential source's business; the
  // proxy's part is exactly one refresh and one more try.
  EXPECT_TRUE(reply.status == 200 || reply.status == 401) << reply.status;
  EXPECT_EQ(env_->hits(path), 2);
  const auto attempts = last_entry()["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["status"], 401);
  EXPECT_EQ(attempts[0]["reason"], "unauthorized");
}

}  // namespace
}  // namespace ferry::testing
