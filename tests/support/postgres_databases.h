#pragma once

// PostgreSQL for the tests that need one (store unit tests, end-to-end tests): the server
// named by FERRY_TEST_POSTGRES_URL and a database per test on it. Header-only; a target that
// includes it links ferry_store.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "ferry/core/crypto.h"
#include "ferry/store/postgres/connection.h"
#include "ferry/store/postgres/target.h"

namespace ferry::store::testing {

// The PostgreSQL server the tests use: FERRY_TEST_POSTGRES_URL, a libpq URL of a database
// the tests may connect to and create databases from (scripts/postgres-test-cluster.sh
// prints one). nullopt when the variable is unset or empty.
inline std::optional<std::string> postgres_test_url() {
  const char* url = std::getenv("FERRY_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

inline constexpr std::string_view kNoPostgres =
    "FERRY_TEST_POSTGRES_URL is not set: PostgreSQL cases skipped "
    "(scripts/postgres-test-cluster.sh start prints one)";

// A connection to `url` for the tests' own SQL (no statement timeout); fails the test on
// error.
inline std::optional<pg::DbConnection> connect_for_test(const std::string& url) {
  auto target = pg::parse_target(url);
  EXPECT_TRUE(target) << (target ? "" : target.error().message);
  if (!target) return std::nullopt;
  auto db = pg::DbConnection::connect(*target, {std::chrono::seconds(5),
                                                std::chrono::milliseconds(0)});
  EXPECT_TRUE(db) << (db ? "" : db.error().message);
  if (!db) return std::nullopt;
  return std::move(*db);
}

// Databases on the test server for one test, so tests run in parallel without sharing
// rows, locks or backends: database `name` of this test is created empty on first use
// (named from the test, the process and `name`) and dropped, with anything still connected
// to it, when this object goes away. Created and dropped through a maintenance connection
// to the server URL's own database. Not thread-safe: call from the test's thread.
class TestDatabases {
 public:
  explicit TestDatabases(std::string server_url) : server_url_(std::move(server_url)) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = info == nullptr ? "test" : info->name();
    const std::string test =
        info == nullptr ? name : std::string(info->test_suite_name()) + "." + name;
    // Readable, yet unique per test and process however long the test name is.
    prefix_ = "ferry_" + identifier(name, 24) + "_" +
              hex_encode(sha256(test + "/" + std::to_string(::getpid()))).substr(0, 10);
  }
  TestDatabases(const TestDatabases&) = delete;
  TestDatabases& operator=(const TestDatabases&) = delete;

  ~TestDatabases() {
    if (created_.empty()) return;
    auto maintenance = connect_for_test(server_url_);
    if (!maintenance) return;
    for (const auto& [name, database] : created_) {
      auto dropped = maintenance->run("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)",
                                      {}, "drop test database");
      EXPECT_TRUE(dropped) << (dropped ? "" : dropped.error().message);
    }
  }

  // The URL of database `name`, creating it on first use. `options` go after CREATE
  // DATABASE (e.g. "ENCODING 'LATIN1' ... TEMPLATE template0").
  std::string url(const std::string& name, const std::string& options = "") {
    const std::string database = database_name(name);
    if (!created_.contains(name)) {
      auto maintenance = connect_for_test(server_url_);
      if (maintenance) {
        // Left over by a crashed run of this very test, maybe.
        (void)maintenance->run("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)", {},
                               "drop stale test database");
        auto made = maintenance->run("CREATE DATABASE \"" + database + "\" " + options, {},
                                     "create test database");
        EXPECT_TRUE(made) << (made ? "" : made.error().message);
      }
      created_[name] = database;
    }
    // libpq reads query parameters after the path: dbname here wins over the server URL's.
    return server_url_ + (server_url_.find('?') == std::string::npos ? "?" : "&") +
           "dbname=" + database;
  }

  // The name of database `name` in the server (what PostgresStore's messages show).
  std::string database_name(const std::string& name) const {
    return (prefix_ + "_" + identifier(name, 16)).substr(0, 63);
  }

  // A connection to database `name` (created if needed) for raw SQL.
  std::optional<pg::DbConnection> connect(const std::string& name) {
    return connect_for_test(url(name));
  }

  const std::string& server_url() const { return server_url_; }

 private:
  // `text` lower-cased, with anything but letters and digits made '_', cut to `max`.
  static std::string identifier(const std::string& text, std::size_t max) {
    std::string out;
    for (char c : text.substr(0, max)) {
      out += std::isalnum(static_cast<unsigned char>(c)) != 0
                 ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                 : '_';
    }
    return out;
  }

  std::string server_url_;
  std::string prefix_;
  std::map<std::string, std::string> created_;  // name -> database
};

}  // namespace ferry::store::testing
