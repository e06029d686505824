// The connection pool on its own: reuse, a connection lost in use, a budget that stays
// spent.
#include <gtest/gtest.h>

#include "ferry/store/postgres/pool.h"
#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using std::chrono::milliseconds;
using testing::eventually;
using testing::PostgresTest;

class PostgresPoolTest : public PostgresTest {
 protected:
  pg::PoolOptions options(std::size_t size, milliseconds acquire_timeout = milliseconds(2000)) {
    pg::PoolOptions out;
    out.size = size;
    out.acquire_timeout = acquire_timeout;
    return out;
  }
  std::shared_ptr<const pg::Target> target(const std::string& name) {
    return *pg::parse_target(url(name));
  }
};

TEST_F(PostgresPoolTest, AReturnedConnectionIsLentAgain) {
  pg::Pool pool(target("db"), options(2), "test pool");
  int pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    pid = (*lease)->backend_pid();
  }
  auto again = pool.acquire();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->backend_pid(), pid);
  EXPECT_EQ(pool.open_connections(), 1u);
}

TEST_F(PostgresPoolTest, AConnectionLostInUseIsDroppedAndReplaced) {
  pg::Pool pool(target("db"), options(1), "test pool");
  auto watcher = admin("db");
  ASSERT_TRUE(watcher);
  int first_pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    first_pid = (*lease)->backend_pid();
    ASSERT_EQ(query_int(*watcher, "SELECT pg_terminate_backend($1::integer)::integer",
                        {pg::integer(first_pid)}),
              1);
    ASSERT_TRUE(eventually([&] {
      return query_int(*watcher, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                       {pg::integer(first_pid)}) == 0;
    }));
    auto rows = (*lease)->exec("SELECT 1", {}, "probe");
    ASSERT_FALSE(rows);
    EXPECT_EQ(rows.error().code, Errc::unavailable);
    EXPECT_NE(rows.error().message.find("probe: lost the connection to database"),
              std::string::npos)
        << rows.error().message;
    EXPECT_TRUE((*lease)->is_broken());
  }
  EXPECT_EQ(pool.open_connections(), 0u) << "a broken connection is not kept";
  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_NE((*lease)->backend_pid(), first_pid);
  EXPECT_TRUE((*lease)->exec("SELECT 1", {}, "probe"));
}

TEST_F(PostgresPoolTest, WhenEveryConnectionStaysLentAcquireGivesUpWithUnavailable) {
  pg::Pool pool(target("db"), options(1, milliseconds(200)), "test pool");
  auto held = pool.acquire();
  ASSERT_TRUE(held) << held.error().message;
  auto refused = pool.acquire();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::unavailable);
  EXPECT_NE(refused.error().message.find("all 1 connections of the test pool"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("stayed busy for 200 ms"), std::string::npos)
      << refused.error().message;
}

TEST_F(PostgresPoolTest, TryAcquireLendsWhatIsFreeAndNeverWaits) {
  // An acquire timeout no test would sit through: try_acquire must not use it.
  pg::Pool pool(target("db"), options(1, std::chrono::hours(1)), "test pool");
  std::optional<pg::Pool::Lease> held;
  {
    auto first = pool.try_acquire();
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(*first);
    held.emplace(std::move(**first));
  }
  auto busy = pool.try_acquire();
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_FALSE(*busy);
  held.reset();
  auto again = pool.try_acquire();
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(pool.open_connections(), 1u);
}

TEST_F(PostgresPoolTest, AStatementPastTheTimeoutIsCancelledAndTheConnectionKept) {
  pg::PoolOptions short_statements = options(1);
  short_statements.connect.statement_timeout = milliseconds(100);
  pg::Pool pool(target("db"), short_statements, "test pool");
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().message;
    auto slow = (*lease)->exec("SELECT pg_sleep(5)", {}, "sleep");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, Errc::unavailable);
    EXPECT_NE(slow.error().message.find("statement timeout"), std::string::npos)
        << slow.error().message;
    EXPECT_FALSE((*lease)->is_broken());
  }
  EXPECT_EQ(pool.open_connections(), 1u);
}

}  // namespace
}  // namespace ferry::store
