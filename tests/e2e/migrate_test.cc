// `ferry migrate`: applies the schema migrations of the folder's database once, says so, and
// refuses a database from a newer Ferry without touching it.
#include <sqlite3.h>

#include <string>

#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

std::string folder_with_database() {
  const std::string dir = make_temp_dir("ferry-migrate");
  write_file(dir + "/ferry.yaml", "secret_key: migrate-secret-key-0123456789\n");
  write_file(dir + "/integrations.yaml", "integrations: {}\n");
  return dir;
}

bool set_schema_version(const std::string& file, int version) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(file.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db,
                         ("UPDATE schema_version SET version = " + std::to_string(version)).c_str(),
                         nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

TEST(Migrate, AppliesEveryMigrationOnceThenHasNothingToDo) {
  const std::string dir = folder_with_database();
  auto first = ferry({"migrate", dir});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied schema migration 1 (base tables)"), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("up to date"), std::string::npos) << first.output;

  auto second = ferry({"migrate", dir});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output.find("applied schema migration"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("up to date"), std::string::npos) << second.output;
}

TEST(Migrate, RefusesADatabaseFromANewerFerry) {
  const std::string dir = folder_with_database();
  ASSERT_EQ(ferry({"migrate", dir}).exit_code, 0);
  ASSERT_TRUE(set_schema_version(dir + "/ferry.db", 999));
  auto refused = ferry({"migrate", dir});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("newer than this Ferry"), std::string::npos) << refused.output;
  // Nothing was rolled back or rewritten: the version is still the newer one.
  EXPECT_EQ(ferry({"migrate", dir}).exit_code, 1);
}

TEST(Migrate, ABadConfigurationNamesTheKeyAndTouchesNothing) {
  const std::string dir = make_temp_dir("ferry-migrate-bad");
  write_file(dir + "/ferry.yaml", "database_url: mysql://x/y\n");
  write_file(dir + "/integrations.yaml", "integrations: {}\n");
  auto refused = ferry({"migrate", dir});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("ferry.yaml:1"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("database_url"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace ferry::testing
