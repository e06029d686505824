// Deprecated endpoints end to end: jira:v0 lists Atlassian's removed issue search, so the
// real binary refuses calls to it (from /proxy and from actions) with 410
// deprecated_endpoint before anything reaches fake-atlassian, and under
// `deprecated_endpoint_policy: warn` lets them through with a warning in the activity log
// and the server log. /search/jql, the replacement, is never in the way.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-deprecated-secret-key-0123456789";
// The endpoints as callers write them; the cloud id comes from the connection.
constexpr const char* kOldSearch =
    "/proxy/ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/3/search?jql=project%20%3D%20PROJ";
constexpr const char* kNewSearch =
    "/proxy/ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/3/search/jql"
    "?jql=project%20%3D%20PROJ&maxResults=2";

// An action that calls the old search and returns the status it got.
constexpr const char* kOldSearchAction =
    "return function(nango, input)\n"
    "  local answer = nango:get{\n"
    "    endpoint = '/ex/jira/${connectionConfig.cloudId}/rest/api/' .. input.version .. '/search',\n"
    "    params = {jql = 'project = PROJ'}}\n"
    "  return {status = answer.status}\n"
    "end\n";

class DeprecatedEndpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-deprecated");
    const std::string base = fake_.base_url();
    write_file(dir_ + "/integrations.yaml",
               "integrations:\n" + fake_jira_integration("jira", base) +
                   fake_jira_integration("jira-warn", base,
                                         "    deprecated_endpoint_policy: warn\n"));
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n");
    for (const char* key : {"jira", "jira-warn"}) {
      std::filesystem::create_directories(dir_ + "/" + key);
      write_file(dir_ + "/" + key + "/old-search.action.lua", kOldSearchAction);
    }
    server_ = std::make_unique<RunningFerry>(dir_);
    auto connection = with_issued_tokens(fake_.issue_tokens());
    for (const char* key : {"jira", "jira-warn"}) {
      connection.integration = key;
      import_connection(*server_, kSecret, connection);
    }
  }

  HttpReply call(const std::string& method, const std::string& integration,
                 const std::string& target, const std::string& connection_id = "user-1") {
    return server_->client().request(method, target,
                                     connection_headers(kSecret, integration, connection_id),
                                     method == "POST" ? R"({"jql":"project = PROJ"})" : "");
  }

  HttpReply trigger(const std::string& integration, const json& input) {
    return server_->client().request("POST", "/action/trigger",
                                     connection_headers(kSecret, integration, "user-1"),
                                     json{{"action_name", "old-search"}, {"input", input}}.dump());
  }

  // How many requests for `path` fake-atlassian has seen.
  int arrived(const std::string& path) {
    return fake_.admin("GET", "stats")["requests_by_path"].value(path, 0);
  }
  int arrived_total() { return fake_.admin("GET", "stats")["requests_total"]; }

  // The newest proxied call of `integration` in the activity log.
  // The integration's newest proxy entry, once its `field` holds `part`: the activity log is
  // written by a thread of its own, so the entry of a call just answered may come a moment
  // later. Gives up (returning the newest entry, for the assertions to show) after 10 s.
  json last_activity(const std::string& integration, const char* field, const std::string& part) {
    json newest = json::object();
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto reply = server_->client().get(
          "/logs?type=proxy&integration=" + integration + "&limit=1", api_headers(kSecret));
      EXPECT_EQ(reply.status, 200) << reply.body;
      auto logs = json::parse(reply.body, nullptr, false)["logs"];
      if (!logs.empty()) {
        newest = logs[0];
        const json value = newest.value(field, json());
        if (value.is_string() && value.get<std::string>().find(part) != std::string::npos) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return newest;
  }

  static std::string old_search_path(const char* version) {
    return std::string("/ex/jira/") + kFakeCloudId + "/rest/api/" + version + "/search";
  }

  Fake fake_;
  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

TEST_F(DeprecatedEndpoints, TheProxyRefusesTheOldSearchWithoutSendingIt) {
  const int before = arrived_total();
  auto reply = call("GET", "jira", kOldSearch);
  EXPECT_EQ(reply.status, 410) << reply.body;
  EXPECT_EQ(reply.header("x-ferry-error"), "deprecated_endpoint");
  json body = json::parse(reply.body, nullptr, false);
  EXPECT_EQ(body["error"]["code"], "deprecated_endpoint") << reply.body;
  EXPECT_EQ(body["error"]["message"],
            "GET /rest/api/3/search was removed by the provider; use /rest/api/3/search/jql "
            "instead (jira:v0: Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 "
            "Gone.)");
  // POST, the v2 path, a trailing slash: all refused, none sent.
  for (const std::string target :
       {"/proxy/ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/3/search",
        "/proxy/ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/2/search?jql=x",
        "/proxy/ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/3/search/"}) {
    for (const char* method : {"GET", "POST"}) {
      auto refused = call(method, "jira", target);
      EXPECT_EQ(refused.status, 410) << method << " " << target << ": " << refused.body;
      EXPECT_NE(refused.body.find("deprecated_endpoint"), std::string::npos) << refused.body;
    }
  }
  EXPECT_EQ(arrived_total(), before) << "a refused call reached fake-atlassian";

  // The call is in the activity log like any refused one.
  json entry = last_activity("jira", "url", "/rest/api/3/search/");
  EXPECT_EQ(entry["type"], "proxy");
  EXPECT_EQ(entry["status"], 410);
  EXPECT_EQ(entry["level"], "warn");
  EXPECT_EQ(entry["attempts"], 0);
  EXPECT_NE(entry["message"].get<std::string>().find("use /rest/api/3/search/jql instead"),
            std::string::npos)
      << entry.dump();

  // The replacement goes through.
  auto jql = call("GET", "jira", kNewSearch);
  EXPECT_EQ(jql.status, 200) << jql.body;
  EXPECT_TRUE(json::parse(jql.body, nullptr, false)["issues"].is_array()) << jql.body;
  EXPECT_EQ(arrived(old_search_path("3") + "/jql"), 1);
}

TEST_F(DeprecatedEndpoints, ARefusedCallDoesNotEvenRefreshTheToken) {
  OAuthConnectionImport expired = with_issued_tokens(fake_.issue_tokens());
  expired.connection_id = "user-expired";
  expired.expires_at = "2001-01-01T00:00:00Z";
  import_connection(*server_, kSecret, expired);
  const int before = arrived_total();
  auto reply = call("GET", "jira", kOldSearch, "user-expired");
  EXPECT_EQ(reply.status, 410) << reply.body;
  EXPECT_EQ(fake_.refresh_requests(), 0);
  EXPECT_EQ(arrived_total(), before);
}

TEST_F(DeprecatedEndpoints, AnActionsCallFailsWithTheSameError) {
  const int before = arrived_total();
  for (const char* version : {"3", "2"}) {
    auto reply = trigger("jira", {{"version", version}});
    EXPECT_EQ(reply.status, 500) << reply.body;
    json body = json::parse(reply.body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], "action_failed") << reply.body;
    const std::string message = body["error"]["message"];
    const std::string api = std::string("/rest/api/") + version;
    EXPECT_NE(message.find("GET " + api + "/search was removed by the provider; use " + api +
                           "/search/jql instead (jira:v0: Removed by Atlassian"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(arrived_total(), before) << "an action's refused call reached fake-atlassian";
  // The action's call is in the activity log as a refused proxy call.
  json entry = last_activity("jira", "message", "/rest/api/2/search/jql");
  EXPECT_EQ(entry["status"], 410) << entry.dump();
  EXPECT_NE(entry["message"].get<std::string>().find("/rest/api/2/search/jql"), std::string::npos)
      << entry.dump();
}

TEST_F(DeprecatedEndpoints, UnderWarnTheCallGoesThroughWithAWarning) {
  const std::string old_path = old_search_path("3");
  const int before = arrived(old_path);
  auto reply = call("GET", "jira-warn", kOldSearch);
  // fake-atlassian's own answer, relayed: Atlassian's 410 ErrorCollection.
  EXPECT_EQ(reply.status, 410) << reply.body;
  EXPECT_EQ(reply.header("x-ferry-error"), "");
  EXPECT_TRUE(json::parse(reply.body, nullptr, false)["errorMessages"].is_array()) << reply.body;
  EXPECT_EQ(arrived(old_path), before + 1);

  const std::string warning =
      "GET /rest/api/3/search was removed by the provider; use /rest/api/3/search/jql instead "
      "(jira:v0: Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 Gone.)";
  json entry = last_activity("jira-warn", "url", "/rest/api/3/search?");
  EXPECT_EQ(entry["status"], 410);
  EXPECT_EQ(entry["attempts"], 1);
  EXPECT_EQ(entry["level"], "warn");
  EXPECT_EQ(entry["message"], warning) << entry.dump();
  EXPECT_EQ(entry["details"]["warnings"], json::array({warning})) << entry.dump();
  EXPECT_TRUE(entry["details"]["attempts"].is_array()) << entry.dump();
  EXPECT_NE(server_->process().output().find("[jira-warn] [connection: user-1] " + warning),
            std::string::npos)
      << server_->process().output();

  // An action's call goes through too, and sees the provider's answer.
  auto action = trigger("jira-warn", {{"version", "3"}});
  EXPECT_EQ(action.status, 200) << action.body;
  EXPECT_EQ(json::parse(action.body, nullptr, false)["status"], 410) << action.body;
  EXPECT_EQ(arrived(old_path), before + 2);

  // The replacement carries no warning.
  auto jql = call("GET", "jira-warn", kNewSearch);
  EXPECT_EQ(jql.status, 200) << jql.body;
  json clean = last_activity("jira-warn", "url", "/search/jql");
  EXPECT_EQ(clean["status"], 200);
  EXPECT_EQ(clean["level"], "info");
  EXPECT_FALSE(clean["details"].contains("warnings")) << clean.dump();
}

}  // namespace
}  // namespace ferry::testing
