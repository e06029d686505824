// The `ferry` binary end to end: init, check, serve, health, errors, graceful shutdown.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `path` with its first `from` replaced by `to`.
void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " is not in " << path;
  text.replace(at, from.size(), to);
  write_file(path, text);
}

// What a user does after `ferry init`: the app's client id in integrations.yaml (both
// integrations use it), its secret in .env.
void set_app_credentials(const std::string& dir) {
  for (int i = 0; i < 2; ++i) {
    replace_in_file(dir + "/integrations.yaml", "oauth_client_id: your-jira-client-id",
                    "oauth_client_id: e2e-atlassian-client-id");
  }
  replace_in_file(dir + "/.env", "JIRA_CLIENT_SECRET=change-me",
                  "JIRA_CLIENT_SECRET=e2e-atlassian-client-secret");
}

// `ferry init`'s folder, as it is straight after init.
std::string initialised_folder() {
  std::string dir = make_temp_dir("ferry-e2e") + "/demo";
  auto result = ferry({"init", dir});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return dir;
}

// `ferry init`'s folder with the app's credentials set: what check and serve accept.
std::string scaffolded_folder() {
  std::string dir = initialised_folder();
  set_app_credentials(dir);
  return dir;
}

// `ferry init` says which two values to set and where; until they are set, check and serve
// refuse the placeholders, naming the file, line and key of each.
TEST(FerryCli, InitNamesThePlaceholdersThatCheckAndServeRefuse) {
  std::string dir = make_temp_dir("ferry-e2e") + "/demo";
  auto init = ferry({"init", dir});
  ASSERT_EQ(init.exit_code, 0) << init.output;
  for (const std::string& expected :
       {dir + "/integrations.yaml: oauth_client_id: your-jira-client-id",
        dir + "/.env: JIRA_CLIENT_SECRET=change-me"}) {
    EXPECT_NE(init.output.find(expected), std::string::npos) << expected << "\n" << init.output;
  }

  auto check = ferry({"check", dir});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  const std::string yaml = dir + "/integrations.yaml:";
  for (const char* key :
       {"integrations.jira.oauth_client_id: ", "integrations.jira.oauth_client_secret: ",
        "integrations.confluence.oauth_client_id: ",
        "integrations.confluence.oauth_client_secret: "}) {
    EXPECT_NE(check.output.find(key), std::string::npos) << key << "\n" << check.output;
  }
  EXPECT_NE(check.output.find(yaml), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("${JIRA_CLIENT_SECRET} is still \"change-me\""), std::string::npos)
      << check.output;

  // A server would send users to Atlassian with the placeholder id: it does not start.
  auto serve = ferry({"serve", dir, "--port", "0"});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_NE(serve.output.find("integrations.jira.oauth_client_id: "), std::string::npos)
      << serve.output;
  EXPECT_EQ(serve.output.find("Ferry listening on"), std::string::npos) << serve.output;

  set_app_credentials(dir);
  auto fixed = ferry({"check", dir});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.output;
}

TEST(FerryCli, InitThenCheckPrintsTheResolvedJiraIntegration) {
  std::string dir = scaffolded_folder();
  EXPECT_TRUE(fs::exists(dir + "/ferry.yaml"));
  EXPECT_TRUE(fs::exists(dir + "/integrations.yaml"));
  EXPECT_TRUE(fs::exists(dir + "/.env.example"));
  auto check = ferry({"check", dir});
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("https://auth.atlassian.com/authorize"), std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("https://api.atlassian.com/"), std::string::npos);
  EXPECT_NE(check.output.find("/oauth/callback"), std::string::npos);
}

TEST(FerryCli, InitRefusesToOverwriteAFolder) {
  std::string dir = initialised_folder();
  auto again = ferry({"init", dir});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("never overwrites"), std::string::npos) << again.output;
}

TEST(FerryCli, CheckMasksTheClientSecret) {
  std::string dir = scaffolded_folder();
  auto check = ferry({"check", dir}, {"JIRA_CLIENT_SECRET=super-secret-value-123456"});
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output.find("super-secret-value-123456"), std::string::npos) << check.output;
}

TEST(FerryCli, BadConfigurationsExitNonZeroWithFileLineAndKeyPath) {
  struct Case {
    const char* name;
    const char* integrations_yaml;
    const char* expected;  // must appear in the one-line error
  };
  const Case cases[] = {
      {"yaml syntax", "integrations:\n  jira: [unclosed\n", "integrations.yaml:"},
      {"unknown key", "integrations:\n  jira:\n    extends_blueprint: jira:v0\n"
                      "    oauth_client_id: x\n    oauth_client_secret: y\n    oauth_scope: [a]\n",
       "integrations.jira.oauth_scope"},
      {"unknown blueprint", "integrations:\n  jira:\n    extends_blueprint: jiraa:v0\n",
       "integrations.jira.extends_blueprint"},
      {"unset variable", "integrations:\n  jira:\n    extends_blueprint: jira:v0\n"
                         "    oauth_client_id: x\n    oauth_client_secret: ${FERRY_E2E_UNSET_VAR}\n",
       "FERRY_E2E_UNSET_VAR"},
  };
  for (const auto& c : cases) {
    std::string dir = make_temp_dir("ferry-bad");
    write_file(dir + "/integrations.yaml", c.integrations_yaml);
    auto check = ferry({"check", dir});
    EXPECT_NE(check.exit_code, 0) << c.name;
    EXPECT_NE(check.output.find(c.expected), std::string::npos) << c.name << ":\n" << check.output;
    EXPECT_NE(check.output.find(":"), std::string::npos) << c.name;
  }
}

TEST(FerryCli, CheckOfAMissingFolderFails) {
  auto check = ferry({"check", "/nonexistent/ferry-folder"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.output.find("/nonexistent/ferry-folder"), std::string::npos) << check.output;
}

TEST(FerryCli, BlueprintsListsTheCatalogAndShowsJira) {
  auto list = ferry({"blueprints"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  for (const char* name : {"jira", "github", "slack", "hubspot", "zoom"}) {
    EXPECT_NE(list.output.find(name), std::string::npos) << name;
  }
  auto jira = ferry({"blueprints", "jira:v0"});
  ASSERT_EQ(jira.exit_code, 0) << jira.output;
  EXPECT_NE(jira.output.find("auth.atlassian.com"), std::string::npos) << jira.output;
  auto unknown = ferry({"blueprints", "nope"});
  EXPECT_NE(unknown.exit_code, 0);
}

TEST(FerryCli, VersionPrintsTheVersion) {
  auto version = ferry({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("ferry ", 0), 0u) << version.output;
}

TEST(FerryServe, AnswersHealthAndJsonErrorsThenStopsOnSigterm) {
  std::string dir = scaffolded_folder();
  RunningFerry server(dir);
  ASSERT_NE(server.port(), 0);
  EXPECT_NE(server.process().output().find("/oauth/callback"), std::string::npos);

  auto client = server.client();
  auto health = client.get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(health.header("content-type"), "application/json");

  // Same connection (keep-alive): unknown route, wrong method.
  auto missing = client.get("/no/such/route");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["code"], "not_found");
  auto wrong_method = client.request("DELETE", "/health");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(nlohmann::json::parse(wrong_method.body)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(wrong_method.header("allow"), "GET");

  auto garbage = HttpClient("127.0.0.1", server.port()).raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);

  server.process().signal(SIGTERM);
  EXPECT_EQ(server.process().wait(std::chrono::seconds(30)), 0) << server.process().output();
  EXPECT_NE(server.process().output().find("Ferry stopped"), std::string::npos);
}

TEST(FerryServe, IdleKeepAliveConnectionsDoNotDelayShutdown) {
  std::string dir = scaffolded_folder();
  RunningFerry server(dir);
  auto client = server.client();
  ASSERT_EQ(client.get("/health").status, 200);  // connection stays open, idle
  server.process().signal(SIGINT);
  EXPECT_EQ(server.process().wait(std::chrono::seconds(60)), 0);
  EXPECT_TRUE(client.server_closed());
  // The idle connection was closed at once, not cut when the grace period ran out.
  EXPECT_EQ(server.process().output().find("shutdown grace passed"), std::string::npos)
      << server.process().output();
}

// The quick start's way to serve `ferry init`'s folder before it has real credentials: the
// integrations holding placeholders are left out (so nobody is sent to Atlassian with them)
// and named at start and on the dashboard.
TEST(FerryServe, SkipPlaceholderIntegrationsServesTheExampleWithoutThem) {
  std::string dir = initialised_folder();
  write_file(dir + "/ferry.yaml", "secret_key: skip-placeholders-secret-key-0123\n");
  RunningFerry server(dir, {}, {"--skip-placeholder-integrations"});
  ASSERT_NE(server.port(), 0);
  const std::string output = server.process().output();
  for (const char* key :
       {"integrations.jira.oauth_client_id: ", "integrations.confluence.oauth_client_secret: "}) {
    EXPECT_NE(output.find(std::string("not serving this integration until it is fixed: ") + dir +
                          "/integrations.yaml:"),
              std::string::npos)
        << output;
    EXPECT_NE(output.find(key), std::string::npos) << key << "\n" << output;
  }
  const std::vector<std::pair<std::string, std::string>> secret = {
      {"Authorization", "Bearer skip-placeholders-secret-key-0123"}};
  auto integrations = server.client().get("/integrations", secret);
  ASSERT_EQ(integrations.status, 200) << integrations.body;
  EXPECT_EQ(nlohmann::json::parse(integrations.body)["data"], nlohmann::json::array());
  auto dashboard = server.client().get("/dashboard/api/integrations", secret);
  ASSERT_EQ(dashboard.status, 200) << dashboard.body;
  EXPECT_NE(dashboard.body.find("integrations.jira.oauth_client_id"), std::string::npos)
      << dashboard.body;
}

TEST(FerryServe, RejectsBodiesOverTheLimitWith413) {
  std::string dir = scaffolded_folder();
  write_file(dir + "/ferry.yaml",
             "max_request_body_bytes: 1024\nsecret_key: body-limit-secret-key-0123\n");
  RunningFerry server(dir);
  auto client = server.client();
  // An authorised request to a real route: routing and the key are checked first.
  auto reply = client.request("POST", "/connections",
                              {{"Content-Type", "application/json"},
                               {"Authorization", "Bearer body-limit-secret-key-0123"}},
                              std::string(4096, 'x'));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(nlohmann::json::parse(reply.body)["error"]["code"], "payload_too_large");
}

}  // namespace
}  // namespace ferry::testing
