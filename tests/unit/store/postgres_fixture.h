#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "ferry/store/postgres/postgres_store.h"
#include "store_fixture.h"

namespace ferry::store::testing {

// A PostgreSQL-only store test (skipped without FERRY_TEST_POSTGRES_URL), with ways past
// the store: raw SQL on a test database and on the server's maintenance database.
class PostgresTest : public StoreFixture {
 protected:
  Backend backend() const override { return Backend::postgres; }

  // A PostgresStore on database `name`; fails the test on error.
  std::unique_ptr<PostgresStore> open_postgres(const std::string& name,
                                               const PostgresOptions& options = {},
                                               std::string_view key = {}) {
    std::optional<Cipher> cipher;
    if (!key.empty()) cipher = *Cipher::from_base64_key(key);
    auto store = PostgresStore::open(url(name), options, std::move(cipher), clock_);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }

  // A connection to database `name` for the test's own SQL.
  std::optional<pg::DbConnection> admin(const std::string& name) {
    return databases_->connect(name);
  }
  // A connection to the server URL's own database, which the tests never lock out.
  std::optional<pg::DbConnection> maintenance() {
    return connect_for_test(databases_->server_url());
  }

  // The first column of the first row of `sql` on `db` as an integer; fails the test on
  // error.
  static std::int64_t query_int(pg::DbConnection& db, const std::string& sql,
                                std::initializer_list<pg::Param> params = {}) {
    auto rows = db.exec(sql, params, "test query");
    EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
    return rows && !rows->empty() ? rows->integer(0, 0) : -1;
  }
};

// Polls `condition` until it holds or `timeout` passes; returns whether it held. For
// waiting on the database's view of other sessions, which has no event to wait for.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace ferry::store::testing
