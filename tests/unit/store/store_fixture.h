#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "ferry/observe/log.h"
#include "ferry/store/open_store.h"
#include "ferry/store/sqlite/statement.h"
#include "ferry/store/store.h"
#include "postgres_databases.h"

namespace ferry::store::testing {

// The backends a store test can run against.
enum class Backend { sqlite, postgres };

// "sqlite" / "postgres": the suffix of a parameterised test's name.
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

// Names the backend in failure messages (GetParam() = postgres).
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::sqlite ? "sqlite" : "postgres");
}

// Every backend, for INSTANTIATE_TEST_SUITE_P(Backends, <Suite>, kAllBackends, backend_name).
inline const auto kAllBackends = ::testing::Values(Backend::sqlite, Backend::postgres);

// One test's databases, by name: for SQLite, files in a fresh directory under the test temp
// dir (removed, made writable again first, when the test ends); for PostgreSQL, databases
// of their own on the FERRY_TEST_POSTGRES_URL server (TestDatabases), and the test is
// skipped when that variable is unset. A name opened twice is the same database, so a test
// can close a store and open it again.
class StoreFixture : public ::testing::Test {
 protected:
  virtual Backend backend() const { return Backend::sqlite; }

  void SetUp() override {
    // Migration notices would drown the test output.
    (void)observe::init_logging({observe::Level::warn, "", true});
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("ferry_store_" + std::to_string(::getpid()) + "_" +
            hex_encode(sha256(std::string(info->test_suite_name()) + "." + info->name()))
                .substr(0, 12));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (backend() == Backend::postgres) {
      auto server = postgres_test_url();
      if (!server) GTEST_SKIP() << kNoPostgres;
      databases_.emplace(*server);
    }
  }

  void TearDown() override {
    databases_.reset();
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  bool is_postgres() const { return backend() == Backend::postgres; }

  // A file in the test directory (SQLite).
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The database_url of database `name`.
  std::string url(const std::string& name) {
    return is_postgres() ? databases_->url(name) : "sqlite://" + path(name);
  }

  // How store errors name database `name`: its file path, or its PostgreSQL name.
  std::string where(const std::string& name) const {
    return is_postgres() ? databases_->database_name(name) : path(name);
  }

  // Opens `name`; fails the test on error.
  std::unique_ptr<Store> open(const std::string& name, std::string_view key = {}) {
    auto store = open_store(url(name), key, clock_);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }

  // The stored bytes of a connection's credentials column, read past the store.
  std::string raw_credentials(const std::string& name, const std::string& connection_id) {
    if (is_postgres()) {
      auto db = databases_->connect(name);
      if (!db) return "";
      auto rows = db->exec("SELECT credentials FROM connections WHERE connection_id = $1",
                           {pg::text(connection_id)}, "read credentials");
      EXPECT_TRUE(rows && rows->size() == 1);
      return rows && rows->size() == 1 ? rows->bytes(0, 0) : "";
    }
    auto db = sqlite::Database::open(path(name));
    auto stmt = db->prepare("SELECT credentials FROM connections WHERE connection_id = ?", "read");
    stmt->bind_text(1, connection_id);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_bytes(0);
  }

  // Overwrites a connection's credentials column past the store (tampering).
  void raw_set_credentials(const std::string& name, const std::string& connection_id,
                           std::string_view bytes) {
    if (is_postgres()) {
      auto db = databases_->connect(name);
      if (!db) return;
      auto written = db->run("UPDATE connections SET credentials = $1 WHERE connection_id = $2",
                             {pg::bytea(bytes), pg::text(connection_id)}, "write credentials");
      ASSERT_TRUE(written) << (written ? "" : written.error().message);
      return;
    }
    auto db = sqlite::Database::open(path(name));
    auto stmt =
        db->prepare("UPDATE connections SET credentials = ? WHERE connection_id = ?", "write");
    ASSERT_TRUE(stmt->bind_blob(1, bytes).bind_text(2, connection_id).run());
  }

  std::filesystem::path dir_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::optional<TestDatabases> databases_;  // PostgreSQL only
};

// A test on SQLite files only (file modes, SQLite's own schema steps, the cache over it).
using SqliteStoreTest = StoreFixture;

// A test of Store behaviour, run once per backend: TEST_P on a subclass, then
// INSTANTIATE_TEST_SUITE_P(Backends, <Subclass>, kAllBackends, backend_name).
class StoreTest : public StoreFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return GetParam(); }
};

// A connection with OAuth 2 credentials for `connection_id` of integration `key`.
inline Connection make_connection(const std::string& key, const std::string& connection_id) {
  Connection c;
  c.provider_config_key = key;
  c.connection_id = connection_id;
  c.provider = "jira";
  c.credentials.type = CredentialType::oauth2;
  c.credentials.access_token = "at-" + connection_id;
  c.credentials.refresh_token = "rt-" + connection_id;
  c.credentials.expires_at = *parse_iso8601("2026-11-29T20:00:00Z");
  c.connection_config = {{"cloudId", "cloud-" + connection_id}};
  return c;
}

// OAUTH2 credentials holding only `access_token`.
inline Credentials access_token_only(std::string access_token) {
  Credentials c;
  c.type = CredentialType::oauth2;
  c.access_token = std::move(access_token);
  return c;
}

// A fresh random AES-256 key in the ferry.yaml encryption_key form.
inline std::string new_key() { return base64_encode(random_bytes(32)); }

}  // namespace ferry::store::testing
