#include "ferry/config/placeholder_credentials.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "config_test_support.h"
#include "ferry/config/loader.h"

namespace ferry::config {
namespace {

using testing::kAcmeBlueprint;
using testing::TempFolder;
using testing::with_dir;

TEST(PlaceholderCredentials, AreTheValuesTheScaffoldWrites) {
  for (std::string_view value : {"your-jira-client-id", "change-me", "your-jira-client-secret"}) {
    EXPECT_TRUE(is_placeholder_credential(value)) << value;
  }
  for (std::string_view value : {"", "change-me-too", "0a1b2c3d", "CHANGE-ME"}) {
    EXPECT_FALSE(is_placeholder_credential(value)) << value;
  }
}

// Each OAuth integration whose client id or secret is still a placeholder is an error at the
// value's file, line and column; other values, and integrations that use neither key, load.
TEST(PlaceholderCredentials, AreRefusedWhereTheyAreWritten) {
  struct Case {
    const char* name;
    const char* integrations_yaml;
    std::map<std::string, std::string> env;
    std::vector<std::string> expected;  // every line of the error; empty = loads
  };
  const Case cases[] = {
      {"ClientIdWrittenHere",
       "integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
       "    oauth_client_id: your-jira-client-id\n    oauth_client_secret: s3cr3t\n",
       {},
       {"{dir}/integrations.yaml:4:22: integrations.acme.oauth_client_id: "
        "\"your-jira-client-id\" is the placeholder `ferry init` wrote; replace it with your "
        "OAuth app's client id"}},
      {"SecretFromAVariable",
       "integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
       "    oauth_client_id: real-id\n    oauth_client_secret: ${ACME_SECRET}\n",
       {{"ACME_SECRET", "change-me"}},
       {"{dir}/integrations.yaml:5:26: integrations.acme.oauth_client_secret: ${ACME_SECRET} is "
        "still \"change-me\", the placeholder `ferry init` wrote; set it to your OAuth app's "
        "client secret in the folder's .env or the environment"}},
      {"BothWithoutABlueprint",
       "integrations:\n  own:\n    auth: {auth_mode: OAUTH2, authorization_url: "
       "https://a.example/authorize, token_url: https://a.example/token}\n"
       "    requests: {base_url: https://api.a.example/}\n"
       "    oauth_client_id: your-jira-client-id\n"
       "    oauth_client_secret: your-jira-client-secret\n",
       {},
       {"{dir}/integrations.yaml:5:22: integrations.own.oauth_client_id: ",
        "{dir}/integrations.yaml:6:26: integrations.own.oauth_client_secret: "
        "\"your-jira-client-secret\" is the placeholder"}},
      {"RealValues",
       "integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
       "    oauth_client_id: real-id\n    oauth_client_secret: ${ACME_SECRET}\n",
       {{"ACME_SECRET", "a-real-secret"}},
       {}},
      {"NotAnOAuthIntegration",
       "integrations:\n  keyed:\n    auth: {auth_mode: API_KEY}\n"
       "    requests: {base_url: https://api.k.example/}\n"
       "    oauth_client_id: your-jira-client-id\n",
       {},
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempFolder folder;
    folder.write("blueprints/acme.yaml", kAcmeBlueprint);
    folder.write("integrations.yaml", c.integrations_yaml);
    auto project = load_project(folder.path(), Environment::from_map(c.env));
    if (c.expected.empty()) {
      EXPECT_TRUE(project) << project.error().message;
      continue;
    }
    ASSERT_FALSE(project);
    EXPECT_EQ(project.error().code, Errc::config_invalid);
    const std::string& message = project.error().message;
    EXPECT_EQ(static_cast<std::size_t>(std::count(message.begin(), message.end(), '\n')) + 1,
              c.expected.size())
        << message;
    for (const auto& expected : c.expected) {
      EXPECT_NE(message.find(with_dir(expected, folder.path())), std::string::npos)
          << "expected: " << with_dir(expected, folder.path()) << "\nmessage:  " << message;
    }
  }
}

// With skip_placeholder_integrations an integration whose only problem is a placeholder is
// left out and named; any other problem still fails the load.
TEST(PlaceholderCredentials, SkippingLeavesOutOnlyIntegrationsWhoseOnlyProblemIsAPlaceholder) {
  TempFolder folder;
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  const std::string placeholder_entry =
      "  example:\n    extends_blueprint: acme:v0\n"
      "    oauth_client_id: your-jira-client-id\n    oauth_client_secret: real-secret\n";
  const std::string real_entry =
      "  real:\n    extends_blueprint: acme:v0\n"
      "    oauth_client_id: real-id\n    oauth_client_secret: real-secret\n";
  folder.write("integrations.yaml", "integrations:\n" + placeholder_entry + real_entry);
  const LoadOptions skip{.skip_placeholder_integrations = true};

  ASSERT_FALSE(load_project(folder.path(), Environment::from_map({})));
  auto project = load_project(folder.path(), Environment::from_map({}), skip);
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->find_integration("example"), nullptr);
  EXPECT_NE(project->find_integration("real"), nullptr);
  ASSERT_EQ(project->skipped_integrations.size(), 1u);
  EXPECT_EQ(project->skipped_integrations[0].rfind(
                (folder.path() / "integrations.yaml").string() +
                    ":4:22: integrations.example.oauth_client_id: \"your-jira-client-id\"",
                0),
            0u)
      << project->skipped_integrations[0];

  folder.write("integrations.yaml",
               "integrations:\n" + placeholder_entry + "    oauth_scope: [typo]\n" + real_entry);
  auto broken = load_project(folder.path(), Environment::from_map({}), skip);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("integrations.example.oauth_scope: unknown key"),
            std::string::npos)
      << broken.error().message;
  EXPECT_NE(broken.error().message.find("integrations.example.oauth_client_id: "),
            std::string::npos)
      << broken.error().message;
}

}  // namespace
}  // namespace ferry::config
