// Refresh claims across instances: two PostgresStore objects on one database are two pools,
// as two Ferry processes would have.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::eventually;
using testing::make_connection;
using testing::PostgresTest;

using PostgresRefreshClaimTest = PostgresTest;

constexpr std::string_view kThisDatabase =
    "database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// The server process holding the (single) refresh claim taken in the test database.
std::string holder_sql() {
  return "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
         "AND " +
         std::string(kThisDatabase);
}

// True when `store` could take `key`'s claim now (released again at once).
bool claimable(Store& store, const ConnectionKey& key) {
  auto claim = store.try_claim_refresh(key);
  EXPECT_TRUE(claim) << (claim ? "" : claim.error().message);
  return claim && *claim;
}

TEST_F(PostgresRefreshClaimTest, HoldersInTwoInstancesNeverOverlap) {
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
      for (int r = 0; r < kRounds;) {
        auto claim = store->try_claim_refresh(key);
        if (!claim) {
          ++failures;
          ADD_FAILURE() << claim.error().message;
          return;
        }
        if (!*claim) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        // What a refresh does: read, then write back conditioned on the version read.
        const int now_inside = ++inside;
        int seen = max_inside.load();
        while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
        }
        auto current = store->find_connection(key);
        ConnectionUpdate update;
        update.expected_version = current ? current->version : -1;
        update.metadata = json{{"round", r}};
        if (!store->update_connection(key, update)) ++failures;
        --inside;
        claim->reset();
        ++r;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(first->find_connection(key)->version, 1 + kThreads * kRounds);
}

TEST_F(PostgresRefreshClaimTest, AClaimInOneInstanceRefusesTheOtherUntilReleased) {
  auto first = open_postgres("db");
  auto second = open_postgres("db");
  ASSERT_TRUE(first && second);
  const ConnectionKey key{"jira", "u1"};
  auto held = first->try_claim_refresh(key);
  ASSERT_TRUE(held && *held);
  EXPECT_FALSE(claimable(*second, key));
  EXPECT_FALSE(claimable(*first, key)) << "a second claim in the same instance is refused too";
  EXPECT_TRUE(claimable(*second, {"jira", "u2"})) << "other keys are independent";
  held->reset();
  EXPECT_TRUE(claimable(*second, key));
}

TEST_F(PostgresRefreshClaimTest, AHolderWhoseDatabaseSessionEndsLosesTheClaim) {
  auto first = open_postgres("db");
  auto second = open_postgres("db");
  auto watcher = admin("db");
  ASSERT_TRUE(first && second && watcher);
  const ConnectionKey key{"jira", "u1"};
  auto held = first->try_claim_refresh(key);
  ASSERT_TRUE(held && *held);
  EXPECT_FALSE(claimable(*second, key));
  const std::int64_t holder = query_int(*watcher, holder_sql());
  EXPECT_GT(holder, 0);
  EXPECT_EQ(query_int(*watcher, "SELECT pg_terminate_backend($1::integer)::integer",
                      {pg::integer(holder)}),
            1);
  // The holder still has its object, but its session is gone, and the claim with it.
  EXPECT_TRUE(eventually([&] { return claimable(*second, key); }));
  held->reset();  // finds the session gone: warns, drops the connection
  EXPECT_TRUE(claimable(*first, key));
  EXPECT_LE(first->open_claim_connections(), 1u);
}

TEST_F(PostgresRefreshClaimTest, TheClaimOfAKilledProcessIsReleased) {
  auto store = open_postgres("db");
  ASSERT_TRUE(store);
  const std::string database_url = url("db");
  const ConnectionKey key{"jira", "u1"};
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Another Ferry process: takes the claim, says so, and hangs in its refresh until killed.
    ::close(ready[0]);
    auto own = PostgresStore::open(database_url, {}, std::nullopt, system_clock());
    if (!own) ::_exit(2);
    auto claim = (*own)->try_claim_refresh(key);
    if (!claim || !*claim) ::_exit(3);
    (void)!::write(ready[1], "x", 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  const bool child_holds = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  if (child_holds) {
    EXPECT_FALSE(claimable(*store, key)) << "the other process did not hold it";
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(child_holds) << "the child process could not take the claim";
  // PostgreSQL notices the dead client when its socket closes and ends the session.
  EXPECT_TRUE(eventually([&] { return claimable(*store, key); }));
}

TEST_F(PostgresRefreshClaimTest, ClaimHoldersNeverStarveQueriesEvenWithOneConnection) {
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
        // Every claim holder needs a query connection while it holds its claim connection.
        // The one claim connection is busy while another thread holds its claim: retry, as
        // the refresher does.
        auto claim = store->try_claim_refresh(key);
        for (int retry = 0; retry < 10'000 && claim && !*claim; ++retry) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          claim = store->try_claim_refresh(key);
        }
        if (!claim || !*claim) {
          ++failures;
          ADD_FAILURE() << (claim ? "refused for 10 s" : claim.error().message);
          continue;
        }
        auto current = store->find_connection(key);
        ConnectionUpdate update;
        update.expected_version = current ? current->version : -1;
        update.metadata = json{{"round", r}};
        if (!store->update_connection(key, update)) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store->open_query_connections(), 1u);
  EXPECT_EQ(store->open_claim_connections(), 1u);
}

// Claims are released on the blocking pool; a claim that waited for a claim connection
// would hold a blocking thread that a release may need. So a claim beyond the claim pool
// is refused at once, and the caller retries.
TEST_F(PostgresRefreshClaimTest, AClaimBeyondTheClaimPoolIsRefusedAtOnceNotAwaited) {
  PostgresOptions options;
  options.pool_size = 1;
  auto store = open_postgres("db", options);
  ASSERT_TRUE(store);
  auto held = store->try_claim_refresh({"jira", "u1"});
  ASSERT_TRUE(held && *held);
  auto other = store->try_claim_refresh({"jira", "u2"});
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(*other, nullptr);
  held->reset();
  EXPECT_TRUE(claimable(*store, {"jira", "u2"}));
}

}  // namespace
}  // namespace ferry::store
