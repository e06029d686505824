#include "ferry/config/scaffold.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "config_test_support.h"
#include "ferry/config/loader.h"

namespace ferry::config {
namespace {

using testing::TempFolder;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Scaffold, InitThenCheckSucceeds) {
  TempFolder parent;
  const auto dir = parent.path() / "demo";
  Status made = scaffold_project(dir);
  ASSERT_TRUE(made) << made.error().message;
  for (const char* file : {"ferry.yaml", "integrations.yaml", ".env.example", ".env",
                           "jira/create-issue.action.lua"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / file)) << file;
  }
  auto project = load_project(dir);
  ASSERT_TRUE(project) << project.error().message;
  const Integration* jira = project->find_integration("jira");
  ASSERT_NE(jira, nullptr);
  EXPECT_EQ(jira->provider, "jira");
  EXPECT_EQ(jira->blueprint_version, "v0");
  EXPECT_FALSE(jira->oauth_client_id.empty());
  if (std::getenv("JIRA_CLIENT_SECRET") == nullptr) {
    EXPECT_EQ(jira->oauth_client_secret, "change-me");
  }
  EXPECT_EQ(jira->oauth_scopes, (std::vector<std::string>{"read:jira-work", "write:jira-work",
                                                          "read:jira-user", "offline_access"}));
  EXPECT_EQ(project->server.database_url, "sqlite://" + (dir / "ferry.db").string());

  std::string action = read(dir / "jira/create-issue.action.lua");
  EXPECT_NE(action.find("function(nango, input)"), std::string::npos);
  EXPECT_NE(action.find("/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue"),
            std::string::npos);
  EXPECT_NE(read(dir / ".env.example").find("JIRA_CLIENT_SECRET="), std::string::npos);
  EXPECT_NE(read(dir / "integrations.yaml").find("${JIRA_CLIENT_SECRET}"), std::string::npos);
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
