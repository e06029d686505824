// Automatic token refresh through the real binaries: `ferry serve` and `fake-atlassian` as
// child processes. Connections are registered with tokens the fake really issued, with an
// expires_at inside Ferry's 15-minute margin, so Ferry (on the real clock) finds them due
// on first use whatever the fake's clock says.
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-refresh-secret-key-0123456789";
constexpr const char* kCloudId = kFakeCloudId;
constexpr const char* kRedirect = "http://localhost:3003/oauth/callback";
constexpr const char* kMyself = "/proxy/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/3/myself";

std::string folder_for(const Fake& fake) {
  const std::string dir = make_temp_dir("ferry-refresh");
  const std::string base = fake.base_url();
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n");
  write_file(dir + "/integrations.yaml",
             "integrations:\n" +
                 fake_jira_integration(
                     "jira", base, "    oauth_scopes: [read:jira-work, read:jira-user, offline_access]\n"));
  return dir;
}

Headers api() { return api_headers(kSecret); }
Headers proxy_headers() {
  return {{"Authorization", std::string("Bearer ") + kSecret},
          {"Connection-Id", "user-1"},
          {"Provider-Config-Key", "jira"}};
}

// Registers `tokens` as user-1's connection, expiring 60 s from now: inside the margin.
void register_due(RunningFerry& ferry, const json& tokens) {
  auto connection = with_issued_tokens(tokens);
  connection.expires_at = iso8601_in(std::chrono::seconds(60));
  import_connection(ferry, kSecret, connection);
}

json get_connection(RunningFerry& ferry, const std::string& query, int expected_status) {
  auto reply = ferry.client().get("/connections/user-1?provider_config_key=jira" + query, api());
  EXPECT_EQ(reply.status, expected_status) << reply.body;
  return json::parse(reply.body, nullptr, false);
}

// {credentials, errors} of user-1 as Ferry's SQLite file holds them (no encryption_key).
json stored_row(const std::string& dir) {
  sqlite3* db = nullptr;
  json row;
  if (sqlite3_open_v2((dir + "/ferry.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT credentials, errors FROM connections WHERE connection_id = 'user-1'",
                       -1, &stmt, nullptr);
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      row["credentials"] = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      row["errors"] = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return row;
}

TEST(Refresh, ClockPastExpiryRefreshesOnceAndTheCallSucceeds) {
  Fake fake;
  const json tokens = fake.issue_tokens();
  RunningFerry ferry(folder_for(fake));
  register_due(ferry, tokens);
  fake.admin("POST", "clock", {{"advance_seconds", 3700}});
  // The fake now refuses the registered access token: only a refresh can make the call work.
  auto direct = fake.request("GET", "/ex/jira/" + std::string(kCloudId) + "/rest/api/3/myself",
                             {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}});
  ASSERT_EQ(direct.status, 401) << direct.body;

  auto client = ferry.client();
  auto first = client.get(kMyself, proxy_headers());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body)["accountId"].is_string(), true) << first.body;
  EXPECT_EQ(fake.refresh_requests(), 1);
  auto second = client.get(kMyself, proxy_headers());
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(fake.refresh_requests(), 1);
}

TEST(Refresh, TwoHundredConcurrentCallsOnAnExpiredTokenMakeOneTokenRequest) {
  Fake fake;
  const json tokens = fake.issue_tokens();
  RunningFerry ferry(folder_for(fake));
  register_due(ferry, tokens);
  fake.admin("POST", "clock", {{"advance_seconds", 3700}});
  // The token endpoint answers slowly, so every call arrives while the refresh is in flight.
  fake.admin("POST", "faults", {{"path_prefix", "/oauth/token"}, {"action", "delay"}, {"delay_ms", 500}});
  fake.admin("POST", "reset-stats");

  constexpr int kCalls = 200;
  std::atomic<int> ready = 0, successes = 0;
  std::atomic<bool> go = false;
  std::vector<std::thread> callers;
  std::vector<std::string> failures(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      HttpClient client("127.0.0.1", ferry.port());
      ++ready;
      while (!go) std::this_thread::yield();
      auto reply = client.get(kMyself, proxy_headers());
      if (reply.status == 200) {
        ++successes;
      } else {
        failures[i] = std::to_string(reply.status) + " " + reply.body;
      }
    });
  }
  while (ready < kCalls) std::this_thread::yield();
  go = true;
  for (auto& t : callers) t.join();
  EXPECT_EQ(successes.load(), kCalls);
  for (const auto& f : failures) {
    if (!f.empty()) {
      ADD_FAILURE() << "first failure: " << f;
      break;
    }
  }
  const json stats = fake.admin("GET", "stats");
  EXPECT_EQ(stats["token_requests"]["refresh_token"], 1) << stats.dump();
  EXPECT_EQ(stats["token_requests"]["total"], 1) << stats.dump();
}

TEST(Refresh, RotatedRefreshTokenSurvivesARestart) {
  // No reuse leeway: replaying a spent refresh token would revoke the whole grant.
  Fake fake({"--leeway-seconds", "0"});
  const json tokens = fake.issue_tokens();
  const std::string dir = folder_for(fake);
  std::string rotated;
  {
    RunningFerry ferry(dir);
    register_due(ferry, tokens);
    auto call = ferry.client().get(kMyself, proxy_headers());
    ASSERT_EQ(call.status, 200) << call.body;
    rotated = get_connection(ferry, "&refresh_token=true", 200)["credentials"]["refresh_token"];
    EXPECT_NE(rotated, tokens["refresh_token"]);
    // Killed outright: whatever was committed before use is all there is.
    ferry.process().signal(SIGKILL);
    ferry.process().wait(std::chrono::seconds(10));
  }
  EXPECT_EQ(stored_row(dir)["credentials"]["refresh_token"], rotated);

  RunningFerry restarted(dir);
  fake.admin("POST", "clock", {{"advance_seconds", 3700}});
  const json renewed = get_connection(restarted, "&force_refresh=true&refresh_token=true", 200);
  EXPECT_NE(renewed["credentials"]["refresh_token"], rotated);
  EXPECT_TRUE(renewed["errors"].empty()) << renewed.dump();
  auto call = restarted.client().get(kMyself, proxy_headers());
  EXPECT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(fake.refresh_requests(), 2);
}

TEST(Refresh, RevokedTokenAnswers424AndMarksTheConnection) {
  Fake fake;
  const json tokens = fake.issue_tokens();
  RunningFerry ferry(folder_for(fake));
  register_due(ferry, tokens);
  fake.admin("POST", "revoke", {{"refresh_token", tokens["refresh_token"]}});

  auto call = ferry.client().get(kMyself, proxy_headers());
  ASSERT_EQ(call.status, 424) << call.body;
  const json error = json::parse(call.body)["error"];
  EXPECT_EQ(error["code"], "upstream_auth_failed");
  EXPECT_NE(error["message"].get<std::string>().find("invalid_grant"), std::string::npos) << error;

  auto listed = ferry.client().get("/connections?connectionId=user-1", api());
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json errors = json::parse(listed.body)["connections"][0]["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors;
  EXPECT_EQ(errors[0]["type"], "auth");
  EXPECT_FALSE(errors[0]["log_id"].get<std::string>().empty());
  const json again = get_connection(ferry, "", 424);
  EXPECT_EQ(again["error"]["code"], "upstream_auth_failed");
}

TEST(Refresh, TokenEndpointDownAnswers502AndLeavesStoredTokensUntouched) {
  Fake fake;
  const json tokens = fake.issue_tokens();
  const std::string dir = folder_for(fake);
  RunningFerry ferry(dir);
  register_due(ferry, tokens);
  const json before = stored_row(dir);
  fake.admin("POST", "faults", {{"path_prefix", "/oauth/token"}, {"action", "status"},
                                {"status", 503}, {"count", -1}});

  const json got = get_connection(ferry, "", 502);
  EXPECT_EQ(got["error"]["code"], "upstream_unreachable");
  auto call = ferry.client().get(kMyself, proxy_headers());
  EXPECT_EQ(call.status, 502) << call.body;
  const json after = stored_row(dir);
  EXPECT_EQ(after["credentials"], before["credentials"]);
  EXPECT_TRUE(after["errors"].empty()) << after.dump();

  // Back up: the untouched refresh token still works.
  fake.admin("DELETE", "faults");
  const json renewed = get_connection(ferry, "&refresh_token=true", 200);
  EXPECT_NE(renewed["credentials"]["refresh_token"], tokens["refresh_token"]);
  EXPECT_TRUE(renewed["errors"].empty());
}

}  // namespace
}  // namespace ferry::testing
