#include "ferry/config/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

#include "config_test_support.h"
#include "ferry/config/catalog.h"
#include "ferry/config/embedded_catalog.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

using testing::kAcmeBlueprint;
using testing::kOldAuthBlueprint;
using testing::TempFolder;
using testing::with_dir;

const Environment& test_env() {
  static const Environment env = Environment::from_map({{"ACME_SECRET", "acme-secret-value"}});
  return env;
}

TEST(LoadProject, MergesTheIntegrationOverItsBlueprint) {
  TempFolder folder;
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write("integrations.yaml", R"(integrations:
  acme:
    extends_blueprint: acme:v0
    oauth_client_id: client-1
    oauth_client_secret: ${ACME_SECRET}
    oauth_scopes: [admin]
    auth:
      authorization_params:
        prompt: none
    requests:
      headers:
        x-extra: "1"
    retry:
      max_attempts: 2
)");
  auto project = load_project(folder.path(), test_env());
  ASSERT_TRUE(project) << project.error().message;
  const Integration* acme = project->find_integration("acme");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->provider, "acme");
  EXPECT_EQ(acme->blueprint_version, "v0");
  EXPECT_EQ(acme->source, "integrations.yaml:2:3");
  EXPECT_EQ(acme->oauth_client_secret, "acme-secret-value");
  EXPECT_EQ(acme->auth.auth_mode, AuthMode::oauth2);
  EXPECT_EQ(acme->auth.token_url, "https://auth.acme.example/token");
  // Maps merge key by key.
  EXPECT_EQ(acme->auth.authorization_params,
            (std::map<std::string, std::string>{{"audience", "api.acme.example"},
                                                {"prompt", "none"}}));
  EXPECT_EQ(acme->requests.headers.size(), 3u);
  EXPECT_EQ(acme->requests.headers.at("authorization"), "Bearer ${access_token}");
  EXPECT_EQ(acme->requests.headers.at("x-extra"), "1");
  // Lists replace.
  EXPECT_EQ(acme->oauth_scopes, std::vector<std::string>{"admin"});
  EXPECT_EQ(acme->retry.max_attempts, 2);
  EXPECT_EQ(acme->retry.retry_on, (std::vector<int>{429, 503}));
  ASSERT_NE(project->catalog, nullptr);
  EXPECT_NE(project->catalog->find("acme"), nullptr);
  EXPECT_EQ(project->dir, folder.path());
}

TEST(LoadProject, SubstitutesFromDotenvWithTheProcessWinning) {
  TempFolder folder;
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write(".env", "FERRY_TEST_ACME_ID=id-from-dotenv\nFERRY_TEST_ACME_SECRET=from-dotenv\n");
  folder.write("integrations.yaml",
               "integrations:\n  acme:\n    extends_blueprint: acme\n"
               "    oauth_client_id: ${FERRY_TEST_ACME_ID}\n"
               "    oauth_client_secret: ${FERRY_TEST_ACME_SECRET}\n"
               "    requests: {headers: {x-literal: \"$${FERRY_TEST_ACME_ID}\"}}\n");
  ::setenv("FERRY_TEST_ACME_SECRET", "from-process", 1);
  auto project = load_project(folder.path());
  ::unsetenv("FERRY_TEST_ACME_SECRET");
  ASSERT_TRUE(project) << project.error().message;
  const Integration& acme = project->integrations.at("acme");
  EXPECT_EQ(acme.oauth_client_id, "id-from-dotenv");
  EXPECT_EQ(acme.oauth_client_secret, "from-process");
  EXPECT_EQ(acme.requests.headers.at("x-literal"), "${FERRY_TEST_ACME_ID}");
}

TEST(LoadProject, KeepAliveFollowsTheProvidersIdleRuleUnlessTheIntegrationSaysOtherwise) {
  TempFolder folder;
  folder.write("integrations.yaml", R"(integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: id
    oauth_client_secret: secret
  jira-often:
    extends_blueprint: jira:v0
    oauth_client_id: id
    oauth_client_secret: secret
    keep_alive_after_days: 7
  jira-never:
    extends_blueprint: jira:v0
    oauth_client_id: id
    oauth_client_secret: secret
    keep_alive_after_days: 0
)");
  auto project = load_project(folder.path(), test_env());
  ASSERT_TRUE(project) << project.error().message;
  const Integration* jira = project->find_integration("jira");
  EXPECT_EQ(jira->auth.refresh_token_idle_lifetime, std::chrono::days(90));
  EXPECT_EQ(jira->auth.refresh_token_max_lifetime, std::chrono::days(365));
  EXPECT_EQ(jira->keep_alive_after, std::chrono::days(60));
  EXPECT_EQ(project->find_integration("jira-often")->keep_alive_after, std::chrono::days(7));
  EXPECT_FALSE(project->find_integration("jira-never")->keep_alive_after.has_value());
}

TEST(LoadProject, NoVersionMeansTheLatest) {
  TempFolder folder;
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write("integrations.yaml",
               "integrations:\n  acme:\n    extends_blueprint: acme\n"
               "    oauth_client_id: id\n    oauth_client_secret: s\n");
  auto project = load_project(folder.path(), test_env());
  ASSERT_TRUE(project) << project.error().message;
  const Integration& acme = project->integrations.at("acme");
  EXPECT_EQ(acme.blueprint_version, "v1");
  EXPECT_EQ(acme.requests.base_url, "https://api.acme.example/v1/");
  // v1 sets no scopes or retry: nothing leaks from v0.
  EXPECT_TRUE(acme.oauth_scopes.empty());
  EXPECT_EQ(acme.retry.max_attempts, RetryConfig{}.max_attempts);
}

TEST(LoadProject, AnIntegrationNeedsNoBlueprint) {
  TempFolder folder;
  folder.write("integrations.yaml", R"(integrations:
  internal-api:
    auth: {auth_mode: API_KEY}
    requests:
      base_url: http://127.0.0.1:8080/
      headers: {x-api-key: "${api_key}"}
    log_level: debug
    http_request_timeout_seconds: 5
)");
  auto project = load_project(folder.path(), test_env());
  ASSERT_TRUE(project) << project.error().message;
  const Integration& api = project->integrations.at("internal-api");
  EXPECT_EQ(api.provider, "");
  EXPECT_EQ(api.auth.auth_mode, AuthMode::api_key);
  EXPECT_EQ(api.log_level, observe::Level::debug);
  EXPECT_EQ(api.http_request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(api.requests.headers.at("x-api-key"), "${api_key}");
}

struct BadCase {
  const char* name;
  std::map<std::string, std::string> files;  // relative path -> text
  std::vector<std::string> expected;         // substrings of the message; {dir} = folder
};

std::vector<BadCase> bad_cases() {
  const std::string acme_head =
      "integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
      "    oauth_client_id: id\n    oauth_client_secret: secret\n";
  return {
      {"MissingIntegrationsYaml", {{"ferry.yaml", "server_port: 3003\n"}},
       {"{dir}/integrations.yaml: cannot read: no such file"}},
      {"YamlSyntaxError", {{"integrations.yaml", "integrations:\n  acme: [unclosed\n"}},
       {"{dir}/integrations.yaml:3:1: invalid YAML"}},
      {"WrongType",
       {{"integrations.yaml", acme_head + "    http_request_timeout_seconds: soon\n"}},
       {"{dir}/integrations.yaml:6:35: integrations.acme.http_request_timeout_seconds: expected "
        "an integer >= 0, got \"soon\""}},
      {"WrongContainerType", {{"integrations.yaml", acme_head + "    oauth_scopes: {a: b}\n"}},
       {"{dir}/integrations.yaml:6:19: integrations.acme.oauth_scopes: expected a list of "
        "strings, got a map"}},
      {"UnknownKeyWithSuggestion", {{"integrations.yaml", acme_head + "    oauth_scope: [a]\n"}},
       {"{dir}/integrations.yaml:6:5: integrations.acme.oauth_scope: unknown key; did you mean "
        "`oauth_scopes`?"}},
      {"UnknownNestedKey",
       {{"integrations.yaml", acme_head + "    auth:\n      tokn_url: https://x.example/\n"}},
       {"{dir}/integrations.yaml:7:7: integrations.acme.auth.tokn_url: unknown key; did you "
        "mean `token_url`?"}},
      {"BadEnumValue", {{"integrations.yaml", acme_head + "    auth: {body_format: xml}\n"}},
       {"{dir}/integrations.yaml:6:25: integrations.acme.auth.body_format: expected one of "
        "form, json, got \"xml\""}},
      {"UnknownBlueprint",
       {{"integrations.yaml", "integrations:\n  acme:\n    extends_blueprint: acmee\n"}},
       {"{dir}/integrations.yaml:3:24: integrations.acme.extends_blueprint: unknown blueprint "
        "`acmee`; did you mean `acme`?",
        "available: ", "acme"}},
      {"UnknownBlueprintVersion",
       {{"integrations.yaml", "integrations:\n  acme:\n    extends_blueprint: acme:v7\n"}},
       {"{dir}/integrations.yaml:3:24: integrations.acme.extends_blueprint: blueprint `acme` "
        "has no version `v7` (available: v0, v1)"}},
      {"UnsetVariable",
       {{"integrations.yaml", "integrations:\n  acme:\n    extends_blueprint: acme\n"
                              "    oauth_client_id: id\n"
                              "    oauth_client_secret: ${ACME_UNSET_SECRET}\n"}},
       {"{dir}/integrations.yaml:5:26: integrations.acme.oauth_client_secret: environment "
        "variable ACME_UNSET_SECRET is not set"}},
      {"BaseUrlWithoutHttp",
       {{"integrations.yaml", acme_head + "    requests:\n      base_url: ftp://files.acme/\n"}},
       {"{dir}/integrations.yaml:7:17: integrations.acme.requests.base_url: expected an "
        "http(s) URL, got \"ftp://files.acme/\""}},
      {"TokenUrlWithoutHttp",
       {{"integrations.yaml", acme_head + "    auth: {token_url: \"ftp://x\"}\n"}},
       {"{dir}/integrations.yaml:6:23: integrations.acme.auth.token_url: expected an http(s) "
        "URL, got \"ftp://x\""}},
      {"Oauth2WithoutClientId",
       {{"integrations.yaml", "integrations:\n  acme:\n    extends_blueprint: acme\n"
                              "    oauth_client_secret: s\n"}},
       {"{dir}/integrations.yaml:2:3: integrations.acme.oauth_client_id: required for "
        "auth_mode OAUTH2"}},
      {"NoBaseUrlAnywhere",
       {{"integrations.yaml", "integrations:\n  bare:\n    auth: {auth_mode: API_KEY}\n"}},
       {"{dir}/integrations.yaml:2:3: integrations.bare.requests.base_url: required"}},
      {"RetryStatusOutOfRange",
       {{"integrations.yaml", acme_head + "    retry: {retry_on: [429, 99]}\n"}},
       {"{dir}/integrations.yaml:6:29: integrations.acme.retry.retry_on[1]: expected an "
        "integer between 100 and 599, got \"99\""}},
      {"EmptyScopeSeparator",
       {{"integrations.yaml", acme_head + "    auth: {scope_separator: \"\"}\n"}},
       {"integrations.acme.auth.scope_separator: expected a non-empty string"}},
      {"InheritedValueNamesTheBlueprintFile",
       {{"blueprints/oldauth.yaml", kOldAuthBlueprint},
        {"integrations.yaml", "integrations:\n  old:\n    extends_blueprint: oldauth\n"
                              "    oauth_client_id: id\n    oauth_client_secret: s\n"
                              "    auth: {auth_mode: OAUTH2}\n"}},
       {"{dir}/blueprints/oldauth.yaml:9:20: integrations.old.auth.request_url: only valid "
        "with auth_mode OAUTH1, not OAUTH2"}},
      {"BadFolderBlueprint",
       {{"blueprints/acme.yaml",
         "name: acme\nmaintainer: x\ndocs_url: https://x.example/\nversions:\n  v0:\n"
         "    comment: c\n    auth: {auth_mode: OAUTH3}\n    requests: {base_url: "
         "https://x.example/}\n"},
        {"integrations.yaml", "integrations:\n  acme:\n    extends_blueprint: acme\n"}},
       {"{dir}/blueprints/acme.yaml:7:23: versions.v0.auth.auth_mode: expected one of OAUTH2, "
        "OAUTH1, API_KEY, USERNAME_PASSWORD, BASIC, NONE, got \"OAUTH3\"; did you mean "
        "`OAUTH2`?"}},
      {"BlueprintNameMustMatchItsFile",
       {{"blueprints/other.yaml", kAcmeBlueprint}, {"integrations.yaml", "integrations: {}\n"}},
       {"{dir}/blueprints/other.yaml:2:7: name: expected `other`"}},
      {"UnknownTopLevelKey", {{"integrations.yaml", "integration:\n  acme: {}\n"}},
       {"{dir}/integrations.yaml:1:1: integration: unknown key; did you mean `integrations`?"}},
      {"KeepAliveNotBeforeTheIdleLimit",
       {{"integrations.yaml",
         acme_head + "    auth: {refresh_token_idle_days: 30}\n    keep_alive_after_days: 30\n"}},
       {"integrations.acme.keep_alive_after_days: must be less than "
        "auth.refresh_token_idle_days (30): the refresh token would have lapsed by then"}},
      {"BadFerryYaml",
       {{"ferry.yaml", "server_prot: 80\n"}, {"integrations.yaml", "integrations: {}\n"}},
       {"{dir}/ferry.yaml:1:1: server_prot: unknown key; did you mean `server_port`?"}},
  };
}

TEST(LoadProject, EachBadInputNamesFileLineColumnAndKeyPath) {
  for (const auto& c : bad_cases()) {
    TempFolder folder;
    folder.write("blueprints/acme.yaml", kAcmeBlueprint);
    folder.write_all(c.files);
    auto project = load_project(folder.path(), test_env());
    ASSERT_FALSE(project) << c.name;
    EXPECT_EQ(project.error().code, Errc::config_invalid) << c.name;
    for (const auto& expected : c.expected) {
      EXPECT_NE(project.error().message.find(with_dir(expected, folder.path())),
                std::string::npos)
          << c.name << "\nexpected: " << with_dir(expected, folder.path())
          << "\nmessage:  " << project.error().message;
    }
  }
}

TEST(LoadProject, ValuesInheritedFromTheEmbeddedCatalogNameTheirBlueprintFile) {
  // Any shipped OAuth 1.0a blueprint: switching its integration to API_KEY makes the
  // inherited request_url invalid, and the problem must point into the blueprint.
  const EmbeddedFile* oauth1 = nullptr;
  for (const auto& file : embedded_blueprints()) {
    if (file.text.find("auth_mode: OAUTH1") != std::string::npos &&
        file.text.find("\n      request_url: ") != std::string::npos) {
      oauth1 = &file;
    }
  }
  if (oauth1 == nullptr) GTEST_SKIP() << "no OAuth 1.0a blueprint is shipped";
  const std::size_t at = oauth1->text.find("\n      request_url: ") + 1;
  const std::size_t line = std::count(oauth1->text.begin(), oauth1->text.begin() + at, '\n') + 1;
  const std::string name = oauth1->name.substr(0, oauth1->name.size() - 5);
  TempFolder folder;
  folder.write("integrations.yaml", "integrations:\n  x:\n    extends_blueprint: " + name +
                                        "\n    auth: {auth_mode: API_KEY}\n");
  auto project = load_project(folder.path(), test_env());
  ASSERT_FALSE(project);
  std::string expected = "blueprint " + oauth1->name + ":" + std::to_string(line) +
                         ":20: integrations.x.auth.request_url: only valid with auth_mode "
                         "OAUTH1, not API_KEY";
  EXPECT_NE(project.error().message.find(expected), std::string::npos)
      << expected << "\n" << project.error().message;
}

TEST(LoadProject, CollectsEveryProblemOneLineEach) {
  TempFolder folder;
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write("ferry.yaml", "server_port: many\n");
  folder.write("integrations.yaml", R"(integrations:
  one:
    extends_blueprint: acme
    oauth_client_id: id
    oauth_client_secret: s
    pkce: yes-please
  two:
    extends_blueprint: nope
  three:
    requests: {base_url: "https://ok.example/"}
    retry: {max_attempts: 0}
)");
  auto project = load_project(folder.path(), test_env());
  ASSERT_FALSE(project);
  std::vector<std::string> lines = split(project.error().message, '\n');
  ASSERT_EQ(lines.size(), 4u) << project.error().message;
  const std::string file = (folder.path() / "integrations.yaml").string();
  EXPECT_EQ(lines[0].rfind((folder.path() / "ferry.yaml").string() + ":1:14: server_port:", 0),
            0u);
  EXPECT_EQ(lines[1].rfind(file + ":6:5: integrations.one.pkce: unknown key", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[2].rfind(file + ":8:24: integrations.two.extends_blueprint:", 0), 0u)
      << lines[2];
  EXPECT_EQ(lines[3].rfind(file + ":11:27: integrations.three.retry.max_attempts:", 0), 0u)
      << lines[3];
}

TEST(LoadProject, MissingFolderIsAnError) {
  TempFolder folder;
  auto project = load_project(folder.path() / "nope", test_env());
  ASSERT_FALSE(project);
  EXPECT_EQ(project.error().code, Errc::config_invalid);
  EXPECT_EQ(project.error().message,
            (folder.path() / "nope").string() + ": cannot read: no such directory");
}

TEST(LoadProject, UnreadableFileIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can read any file";
  TempFolder folder;
  auto file = folder.write("integrations.yaml", "integrations: {}\n");
  ASSERT_EQ(::chmod(file.c_str(), 0), 0);
  auto project = load_project(folder.path(), test_env());
  ::chmod(file.c_str(), 0644);
  ASSERT_FALSE(project);
  EXPECT_NE(project.error().message.find(file.string() + ": cannot read: "), std::string::npos)
      << project.error().message;
}

TEST(LoadProject, EmptyIntegrationsFileIsValid) {
  TempFolder folder;
  folder.write("integrations.yaml", "# nothing yet\n");
  auto project = load_project(folder.path(), test_env());
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_TRUE(project->integrations.empty());
}

}  // namespace
}  // namespace ferry::config
