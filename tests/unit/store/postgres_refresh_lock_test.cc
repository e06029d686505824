// The refresh lock across instances: two PostgresStore objects on one database are two
// pools, as two Ferry processes would have.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::eventually;
using testing::make_connection;
using testing::PostgresTest;

using PostgresRefreshLockTest = PostgresTest;

constexpr std::string_view kThisDatabase =
    "database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// Sessions waiting for an advisory lock in the test database.
std::string waiting_sql() {
  return "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND " +
         std::string(kThisDatabase);
}

// The server process holding the (single) refresh lock taken in the test database.
std::string holder_sql() {
  return "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
         "AND " +
         std::string(kThisDatabase);
}

PostgresOptions with_lock_timeout(milliseconds timeout) {
  PostgresOptions options;
  options.refresh_lock_timeout = timeout;
  return options;
}

TEST_F(PostgresRefreshLockTest, HoldersInTwoInstancesAreSerialized) {
  auto first = open_postgres("db");
  auto second = open_postgres("db");
  ASSERT_TRUE(first && second);
  const ConnectionKey key{"jira", "u1"};
  ASSERT_TRUE(first->create_connection(make_connection("jira", "u1")));
  constexpr int kThreads = 4;
  constexpr int kRounds = 10;
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* store = t % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([&, store] {
      for (int r = 0; r < kRounds; ++r) {
        // What a refresh does: read, then write back conditioned on the version read.
        auto locked = store->with_refresh_lock(key, [&]() -> Status {
          const int now_inside = ++inside;
          int seen = max_inside.load();
          while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
          }
          auto current = store->find_connection(key);
          ConnectionUpdate update;
          update.expected_version = current ? current->version : -1;
          update.metadata = json{{"round", r}};
          auto written = store->update_connection(key, update);
          --inside;
          if (!written) return std::move(written).error();
          return ok();
        });
        if (!locked) {
          ++failures;
          ADD_FAILURE() << locked.error().message;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(first->find_connection(key)->version, 1 + kThreads * kRounds);
}

TEST_F(PostgresRefreshLockTest, AWaiterInAnotherInstanceEntersOnlyOnceTheHolderLeaves) {
  auto first = open_postgres("db");
  auto second = open_postgres("db");
  auto watcher = admin("db");
  ASSERT_TRUE(first && second && watcher);
  const ConnectionKey key{"jira", "u1"};
  std::atomic<bool> second_entered{false};
  std::future<Status> waiter;
  auto held = first->with_refresh_lock(key, [&]() -> Status {
    waiter = std::async(std::launch::async, [&] {
      return second->with_refresh_lock(key, [&] {
        second_entered = true;
        return ok();
      });
    });
    // The database says the other instance's session waits for this lock.
    EXPECT_TRUE(eventually([&] { return query_int(*watcher, waiting_sql()) == 1; }));
    EXPECT_FALSE(second_entered);
    return ok();
  });
  ASSERT_TRUE(held) << held.error().message;
  auto waited = waiter.get();
  EXPECT_TRUE(waited) << (waited ? "" : waited.error().message);
  EXPECT_TRUE(second_entered);
  // Different keys never wait for each other across instances either.
  auto outer = first->with_refresh_lock(key, [&] {
    return second->with_refresh_lock({"jira", "u2"}, [] { return ok(); });
  });
  EXPECT_TRUE(outer) << (outer ? "" : outer.error().message);
}

TEST_F(PostgresRefreshLockTest, AWaitPastTheLockTimeoutIsUnavailableAndRunsNothing) {
  auto first = open_postgres("db");
  auto impatient = open_postgres("db", with_lock_timeout(milliseconds(200)));
  ASSERT_TRUE(first && impatient);
  const ConnectionKey key{"jira", "u1"};
  bool ran = false;
  auto held = first->with_refresh_lock(key, [&]() -> Status {
    auto refused = impatient->with_refresh_lock(key, [&] {
      ran = true;
      return ok();
    });
    EXPECT_FALSE(refused);
    if (!refused) {
      EXPECT_EQ(refused.error().code, Errc::unavailable);
      EXPECT_NE(refused.error().message.find("refresh lock of connection u1 of integration jira"),
                std::string::npos)
          << refused.error().message;
    }
    return ok();
  });
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_FALSE(ran);
  // Released: the impatient instance gets it now.
  EXPECT_TRUE(impatient->with_refresh_lock(key, [] { return ok(); }));
}

TEST_F(PostgresRefreshLockTest, AHolderWhoseDatabaseSessionEndsReleasesTheLock) {
  auto first = open_postgres("db");
  auto second = open_postgres("db");
  auto probe = open_postgres("db", with_lock_timeout(milliseconds(200)));
  auto watcher = admin("db");
  ASSERT_TRUE(first && second && probe && watcher);
  const ConnectionKey key{"jira", "u1"};
  auto held = first->with_refresh_lock(key, [&]() -> Status {
    // Held for real: another instance cannot take it.
    EXPECT_FALSE(probe->with_refresh_lock(key, [] { return ok(); }));
    const std::int64_t holder = query_int(*watcher, holder_sql());
    EXPECT_GT(holder, 0);
    EXPECT_EQ(query_int(*watcher, "SELECT pg_terminate_backend($1::integer)::integer",
                        {pg::integer(holder)}),
              1);
    // The holder has not returned yet, but its session is gone, and the lock with it.
    auto taken = second->with_refresh_lock(key, [] { return ok(); });
    EXPECT_TRUE(taken) << (taken ? "" : taken.error().message);
    return Status(Error{Errc::upstream_auth_failed, "fn's own result"});
  });
  // fn's result comes back although the unlock found the session gone.
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().message, "fn's own result");
  // The dead lock connection was dropped; the next lock takes a fresh one.
  EXPECT_TRUE(first->with_refresh_lock(key, [] { return ok(); }));
  EXPECT_LE(first->open_lock_connections(), 1u);
}

TEST_F(PostgresRefreshLockTest, TheLockOfAKilledProcessIsReleased) {
  auto store = open_postgres("db", with_lock_timeout(milliseconds(200)));
  ASSERT_TRUE(store);
  const std::string database_url = url("db");
  const ConnectionKey key{"jira", "u1"};
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Another Ferry process: takes the lock, says so, and hangs in its refresh until killed.
    ::close(ready[0]);
    auto own = PostgresStore::open(database_url, {}, std::nullopt, system_clock());
    if (!own) ::_exit(2);
    (void)(*own)->with_refresh_lock(key, [&]() -> Status {
      (void)!::write(ready[1], "x", 1);
      for (;;) ::pause();
    });
    ::_exit(3);
  }
  ::close(ready[1]);
  char byte = 0;
  const bool child_holds = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  if (child_holds) {
    auto refused = store->with_refresh_lock(key, [] { return ok(); });
    EXPECT_FALSE(refused) << "the lock was not held by the other process";
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(child_holds) << "the child process could not take the lock";
  // PostgreSQL notices the dead client when its socket closes and ends the session.
  EXPECT_TRUE(eventually([&] { return static_cast<bool>(store->with_refresh_lock(key, [] {
                                 return ok();
                               })); }));
}

TEST_F(PostgresRefreshLockTest, LockHoldersNeverStarveThePoolEvenWithOneConnection) {
  PostgresOptions options;
  options.pool_size = 1;
  auto store = open_postgres("db", options);
  ASSERT_TRUE(store);
  constexpr int kThreads = 4;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(store->create_connection(make_connection("jira", "u" + std::to_string(t))));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const ConnectionKey key{"jira", "u" + std::to_string(t)};
      for (int r = 0; r < 5; ++r) {
        // Every lock holder needs a query connection while it holds its lock connection.
        auto locked = store->with_refresh_lock(key, [&]() -> Status {
          auto current = store->find_connection(key);
          if (!current) return current.error();
          ConnectionUpdate update;
          update.expected_version = current->version;
          update.metadata = json{{"round", r}};
          auto written = store->update_connection(key, update);
          if (!written) return written.error();
          return ok();
        });
        if (!locked) {
          ++failures;
          ADD_FAILURE() << locked.error().message;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store->open_query_connections(), 1u);
  EXPECT_EQ(store->open_lock_connections(), 1u);
}

}  // namespace
}  // namespace ferry::store
