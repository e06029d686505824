// PostgreSQL's schema: versioned migrations applied once, under a lock, and refused when
// the database is ahead of this build or cannot hold UTF-8.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ferry/store/migrations/migration.h"
#include "ferry/store/postgres/migrate.h"
#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using testing::make_connection;
using testing::PostgresTest;

using PostgresSchemaTest = PostgresTest;

int latest_version() { return postgres_migrations().back().version; }

TEST(PostgresMigrations, AreNumberedOneToN) {
  auto steps = postgres_migrations();
  ASSERT_GE(steps.size(), 1u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].version, int(i) + 1);
}

TEST_F(PostgresSchemaTest, ANewDatabaseIsAtTheLatestVersion) {
  ASSERT_TRUE(open_postgres("db"));
  auto db = admin("db");
  ASSERT_TRUE(db);
  auto version = pg::schema_version(*db);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, latest_version());
  EXPECT_EQ(query_int(*db, "SELECT count(*) FROM schema_version"), 1);
}

TEST_F(PostgresSchemaTest, InstancesOpeningTogetherMigrateOnce) {
  constexpr int kInstances = 4;
  const std::string database_url = url("db");
  std::atomic<int> opened{0};
  std::vector<std::thread> instances;
  for (int i = 0; i < kInstances; ++i) {
    instances.emplace_back([&] {
      // A step applied twice would fail on its CREATE TABLE and fail that open.
      auto store = open_store(database_url, "", clock_);
      if (store) {
        ++opened;
      } else {
        ADD_FAILURE() << store.error().message;
      }
    });
  }
  for (auto& instance : instances) instance.join();
  EXPECT_EQ(opened, kInstances);
  auto db = admin("db");
  ASSERT_TRUE(db);
  EXPECT_EQ(*pg::schema_version(*db), latest_version());
  EXPECT_EQ(query_int(*db, "SELECT count(*) FROM schema_version"), 1);
}

TEST_F(PostgresSchemaTest, ANewerSchemaThanThisBuildKnowsIsRejected) {
  ASSERT_TRUE(open_postgres("db"));
  {
    auto db = admin("db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->run("UPDATE schema_version SET version = 99", {}, "bump version"));
  }
  auto store = open_store(url("db"), "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
  EXPECT_NE(store.error().message.find("database schema version 99 is newer than this Ferry "
                                       "(knows " +
                                       std::to_string(latest_version()) + ")"),
            std::string::npos)
      << store.error().message;
}

TEST_F(PostgresSchemaTest, RowsSurviveAnotherInstanceOpeningTheMigratedDatabase) {
  auto first = open_postgres("db");
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->create_connection(make_connection("jira", "u1")));
  auto second = open_postgres("db");
  ASSERT_TRUE(second);
  auto found = second->find_connection({"jira", "u1"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->credentials.refresh_token, "rt-u1");
}

TEST_F(PostgresSchemaTest, ADatabaseThatCannotHoldUtf8IsRejected) {
  const std::string database_url = databases_->url(
      "latin1", "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
  auto store = open_store(database_url, "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::invalid_argument);
  EXPECT_NE(store.error().message.find("uses the LATIN1 encoding"), std::string::npos)
      << store.error().message;
}

}  // namespace
}  // namespace ferry::store
