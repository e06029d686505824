#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "ferry/store/migrations/migration.h"
#include "ferry/store/sqlite/migrate.h"
#include "ferry/store/sqlite/statement.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

using testing::make_connection;
using testing::SqliteStoreTest;

using SchemaTest = SqliteStoreTest;
using OpenErrorsTest = SqliteStoreTest;

constexpr uid_t kNobody = 65534;

int latest_version() { return sqlite_migrations().back().version; }

TEST(SqliteMigrations, AreNumberedOneToNWithAtLeastTwoSteps) {
  auto steps = sqlite_migrations();
  ASSERT_GE(steps.size(), 2u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].version, int(i) + 1);
}

TEST_F(SchemaTest, NewDatabaseIsAtTheLatestVersion) {
  ASSERT_TRUE(open("s.db"));
  auto db = sqlite::Database::open(path("s.db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(*sqlite::schema_version(*db), latest_version());
}

TEST_F(SchemaTest, VersionOneDatabaseIsMigratedAndKeepsItsRows) {
  {
    auto db = sqlite::Database::open(path("v1.db"));
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(sqlite::migrate(*db, sqlite_migrations().first(1)));
    ASSERT_EQ(*sqlite::schema_version(*db), 1);
    // A row as version 1 wrote it: no version column yet.
    ASSERT_TRUE(db->exec(
        "INSERT INTO connections (id, provider_config_key, connection_id, provider, created_at, "
        "updated_at, credentials, connection_config, metadata) VALUES ('id-1', 'jira', 'u1', "
        "'jira', 1000, 2000, '{\"type\":\"API_KEY\",\"api_key\":\"k\"}', '{\"cloudId\":\"c\"}', "
        "'{\"team\":\"blue\"}')",
        "insert v1 row"));
    ASSERT_TRUE(db->exec("INSERT INTO activity (timestamp, level, type) VALUES (5, 'info', 'x')",
                         "insert v1 activity"));
  }
  auto store = open("v1.db");
  ASSERT_TRUE(store);
  auto found = store->find_connection({"jira", "u1"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "id-1");
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(found->credentials.api_key, "k");
  EXPECT_EQ(found->metadata["team"], "blue");
  EXPECT_EQ(found->created_at, TimePoint(std::chrono::milliseconds(1000)));
  EXPECT_EQ(store->list_activity({})->size(), 1u);
  ConnectionUpdate update;
  update.expected_version = 1;
  update.metadata = nlohmann::json{{"team", "red"}};
  EXPECT_EQ(store->update_connection({"jira", "u1"}, update)->version, 2);

  auto db = sqlite::Database::open(path("v1.db"));
  EXPECT_EQ(*sqlite::schema_version(*db), latest_version());
}

TEST_F(SchemaTest, NewerSchemaThanThisBuildKnowsIsRejected) {
  ASSERT_TRUE(open("s.db"));
  {
    auto db = sqlite::Database::open(path("s.db"));
    ASSERT_TRUE(db->exec("UPDATE schema_version SET version = 99", "bump version"));
  }
  auto store = open_store(url("s.db"), "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
  EXPECT_NE(store.error().message.find("database schema version 99 is newer than this Ferry "
                                       "(knows " +
                                       std::to_string(latest_version()) + ")"),
            std::string::npos)
      << store.error().message;
}

TEST_F(OpenErrorsTest, FileThatIsNotADatabaseIsRejectedAndLeftAlone) {
  const std::string text = "integrations:\n  jira: {}\n" + std::string(600, '#');
  std::ofstream(path("notes.db")) << text;
  auto store = open_store(url("notes.db"), "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
  EXPECT_NE(store.error().message.find(path("notes.db")), std::string::npos);
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos);
  std::stringstream after;
  after << std::ifstream(path("notes.db")).rdbuf();
  EXPECT_EQ(after.str(), text);
}

TEST_F(OpenErrorsTest, MissingDirectoryIsNamedInTheError) {
  auto store = open_store(url("absent/sub/f.db"), "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::invalid_argument);
  EXPECT_NE(store.error().message.find(path("absent/sub")), std::string::npos);
  EXPECT_NE(store.error().message.find("does not exist"), std::string::npos);
}

// Runs `open` where file permissions apply: in a child process switched to an
// unprivileged user when the test runs as root (root writes through permissions).
// `open` returns the error message it got, or "" when opening succeeded.
std::string open_without_privileges(const std::function<std::string()>& open) {
  if (::geteuid() != 0) return open();
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) ::_exit(77);
    const std::string message = open();
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return "SKIP";
  return message;
}

std::string open_error(const std::string& url) {
  auto store = open_store(url, "");
  return store ? "" : std::string(errc_name(store.error().code)) + ": " + store.error().message;
}

TEST_F(OpenErrorsTest, ReadOnlyDatabaseFileIsRejectedNamingThePath) {
  ASSERT_TRUE(open("ro.db"));
  std::filesystem::permissions(path("ro.db"), std::filesystem::perms::owner_read |
                                                  std::filesystem::perms::group_read |
                                                  std::filesystem::perms::others_read);
  const std::string message = open_without_privileges([&] { return open_error(url("ro.db")); });
  if (message == "SKIP") GTEST_SKIP() << "cannot drop root privileges here";
  EXPECT_NE(message.find("storage_corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find(path("ro.db")), std::string::npos) << message;
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
}

TEST_F(OpenErrorsTest, NewDatabaseInAReadOnlyDirectoryIsRejected) {
  std::filesystem::permissions(
      dir_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  const std::string message = open_without_privileges([&] { return open_error(url("new.db")); });
  if (message == "SKIP") GTEST_SKIP() << "cannot drop root privileges here";
  EXPECT_NE(message.find("storage_corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find(dir_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(path("new.db")));
}

TEST_F(OpenErrorsTest, WritableFileInAReadOnlyDirectoryIsRejected) {
  ASSERT_TRUE(open("wal.db"));
  // The file stays writable for the opening user; only its directory is not, so SQLite
  // cannot create the -wal and -shm files next to it.
  if (::geteuid() == 0 && ::chown(path("wal.db").c_str(), kNobody, kNobody) != 0) {
    GTEST_SKIP() << "cannot hand the file to an unprivileged user";
  }
  std::filesystem::permissions(
      dir_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  const std::string message = open_without_privileges([&] { return open_error(url("wal.db")); });
  if (message == "SKIP") GTEST_SKIP() << "cannot drop root privileges here";
  EXPECT_NE(message.find("storage_corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
}

}  // namespace
}  // namespace ferry::store
