#include "ferry/config/scaffold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "config_test_support.h"
#include "ferry/config/environment.h"
#include "ferry/config/loader.h"
#include "ferry/config/placeholder_credentials.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

using testing::TempFolder;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The variables of `dir`/.env alone (the process environment may hold JIRA_CLIENT_SECRET).
Environment dotenv_of(const std::filesystem::path& dir) {
  auto variables = parse_dotenv(read(dir / ".env"), ".env");
  EXPECT_TRUE(variables) << variables.error().message;
  return Environment::from_map(variables ? *variables : std::map<std::string, std::string>{});
}

// 1-based number of the first line of `text` holding `needle`, or 0.
int line_of(const std::string& text, std::string_view needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// `text` with every `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// What a user does after `ferry init`: their app's client id in integrations.yaml, its
// secret in .env.
void set_real_credentials(const std::filesystem::path& dir) {
  for (const auto& [file, from, to] :
       {std::tuple{"integrations.yaml", std::string(kPlaceholderClientId),
                   std::string("0a1b2c3d-real-client-id")},
        std::tuple{".env", "JIRA_CLIENT_SECRET=" + std::string(kPlaceholderClientSecret),
                   std::string("JIRA_CLIENT_SECRET=real-client-secret-9f8e")}}) {
    const std::string text = read(dir / file);
    ASSERT_NE(text.find(from), std::string::npos) << file;
    std::ofstream(dir / file, std::ios::trunc) << replace_all(text, from, to);
  }
}

TEST(Scaffold, InitThenCheckNamesBothPlaceholdersUntilTheyAreSet) {
  TempFolder parent;
  const auto dir = parent.path() / "demo";
  Status made = scaffold_project(dir);
  ASSERT_TRUE(made) << made.error().message;
  for (const char* file : {"ferry.yaml", "integrations.yaml", ".env.example", ".env",
                           "jira/create-issue.action.lua"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / file)) << file;
  }
  const std::string yaml = read(dir / "integrations.yaml");
  const std::string file = (dir / "integrations.yaml").string();
  const std::string id_at =
      file + ":" + std::to_string(line_of(yaml, "oauth_client_id: your-jira-client-id")) + ":22: ";
  const std::string secret_at =
      file + ":" + std::to_string(line_of(yaml, "oauth_client_secret: ${JIRA_CLIENT_SECRET}")) +
      ":26: ";

  auto refused = load_project(dir, dotenv_of(dir));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::config_invalid);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find(id_at + "integrations.jira.oauth_client_id: \"your-jira-client-id\" is "
                                 "the placeholder `ferry init` wrote"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(secret_at + "integrations.jira.oauth_client_secret: "
                                     "${JIRA_CLIENT_SECRET} is still \"change-me\""),
            std::string::npos)
      << message;
  // Both example integrations, and nothing else.
  EXPECT_NE(message.find("integrations.confluence.oauth_client_id: "), std::string::npos);
  EXPECT_NE(message.find("integrations.confluence.oauth_client_secret: "), std::string::npos);
  EXPECT_EQ(split(message, '\n').size(), 4u) << message;

  set_real_credentials(dir);
  auto project = load_project(dir, dotenv_of(dir));
  ASSERT_TRUE(project) << project.error().message;
  const Integration* jira = project->find_integration("jira");
  ASSERT_NE(jira, nullptr);
  EXPECT_EQ(jira->provider, "jira");
  EXPECT_EQ(jira->blueprint_version, "v0");
  EXPECT_EQ(jira->oauth_client_id, "0a1b2c3d-real-client-id");
  EXPECT_EQ(jira->oauth_client_secret, "real-client-secret-9f8e");
  EXPECT_EQ(jira->oauth_scopes, (std::vector<std::string>{"read:jira-work", "write:jira-work",
                                                          "read:jira-user", "offline_access"}));
  EXPECT_EQ(project->server.database_url, "sqlite://" + (dir / "ferry.db").string());

  std::string action = read(dir / "jira/create-issue.action.lua");
  EXPECT_NE(action.find("function(nango, input)"), std::string::npos);
  EXPECT_NE(action.find("/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue"),
            std::string::npos);
  EXPECT_NE(read(dir / "integrations.yaml").find("${JIRA_CLIENT_SECRET}"), std::string::npos);
}

// .env.example's value is a placeholder too: copying it to .env unchanged is refused.
TEST(Scaffold, TheEnvExamplesSecretIsRefusedToo) {
  TempFolder parent;
  const auto dir = parent.path() / "demo";
  ASSERT_TRUE(scaffold_project(dir));
  EXPECT_NE(read(dir / ".env.example").find("JIRA_CLIENT_SECRET=your-jira-client-secret\n"),
            std::string::npos);
  set_real_credentials(dir);
  auto variables = parse_dotenv(read(dir / ".env.example"), ".env.example");
  ASSERT_TRUE(variables);
  auto refused = load_project(dir, Environment::from_map(*variables));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("integrations.jira.oauth_client_secret: "
                                         "${JIRA_CLIENT_SECRET} is still "
                                         "\"your-jira-client-secret\""),
            std::string::npos)
      << refused.error().message;
}

TEST(Scaffold, NeverOverwritesAnExistingFolder) {
  TempFolder folder;
  auto existing = folder.write("integrations.yaml", "integrations: {}\n");
  Status made = scaffold_project(folder.path());
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, Errc::conflict);
  EXPECT_NE(made.error().message.find(existing.string()), std::string::npos);
  EXPECT_EQ(read(existing), "integrations: {}\n");
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "ferry.yaml"));
}

TEST(Scaffold, SecondInitFailsAndKeepsTheFirst) {
  TempFolder folder;
  ASSERT_TRUE(scaffold_project(folder.path()));
  folder.write(".env", "JIRA_CLIENT_SECRET=real-secret\n");
  Status again = scaffold_project(folder.path());
  ASSERT_FALSE(again);
  EXPECT_EQ(read(folder.path() / ".env"), "JIRA_CLIENT_SECRET=real-secret\n");
}

// A new install never stores tokens in clear, and its backend key survives a restart: both
// come from .env, generated per folder, readable by the owner only.
TEST(Scaffold, EnvHoldsThisFoldersOwnKeysAndIsOwnerOnly) {
  TempFolder parent;
  ASSERT_TRUE(scaffold_project(parent.path() / "a"));
  ASSERT_TRUE(scaffold_project(parent.path() / "b"));
  std::map<std::string, std::string> first;
  for (const char* folder : {"a", "b"}) {
    SCOPED_TRACE(folder);
    const auto dir = parent.path() / folder;
    EXPECT_EQ(std::filesystem::status(dir / ".env").permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string env = read(dir / ".env");
    for (const char* name : {"FERRY_SECRET_KEY", "FERRY_PUBLIC_KEY", "FERRY_ENCRYPTION_KEY"}) {
      if (std::getenv(name) != nullptr) {
        GTEST_SKIP() << name << " is set in the environment";
      }
      const auto at = env.find(std::string(name) + "=");
      ASSERT_NE(at, std::string::npos) << name;
      const auto start = at + std::string(name).size() + 1;
      const std::string value = env.substr(start, env.find('\n', start) - start);
      EXPECT_GE(value.size(), 32u) << name;
      if (first.count(name) != 0) {
        EXPECT_NE(first[name], value) << name << " repeats";
      }
      first[name] = value;
    }
    set_real_credentials(dir);
    auto project = load_project(dir);
    ASSERT_TRUE(project) << project.error().message;
    EXPECT_FALSE(project->server.secret_key_generated);
    EXPECT_EQ(project->server.secret_key, first["FERRY_SECRET_KEY"]);
    EXPECT_EQ(project->server.public_key, first["FERRY_PUBLIC_KEY"]);
    EXPECT_FALSE(project->server.encryption_key.empty());
  }
}

}  // namespace
}  // namespace ferry::config
