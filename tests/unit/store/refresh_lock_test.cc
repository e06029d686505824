#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "ferry/store/keyed_locks.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::make_connection;
using testing::StoreTest;

class RefreshLockTest : public StoreTest {};

constexpr int kThreads = 4;
constexpr int kRoundsPerThread = 25;

// Each round is what a refresh does: read the row, then write it back conditioned on the
// version it read. Serialized rounds never conflict; overlapping ones would, and would
// also show more than one holder inside the lock.
TEST_P(RefreshLockTest, HoldersOfOneKeyAreSerialized) {
  auto store = open("lock.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1")));
  const ConnectionKey key{"jira", "u1"};
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::atomic<int> failures{0};
  auto round = [&]() -> Status {
    int now_inside = ++inside;
    int seen = max_inside.load();
    while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
    }
    auto current = store->find_connection(key);
    std::this_thread::yield();  // invite another thread in, should the lock let it
    ConnectionUpdate update;
    update.expected_version = current ? current->version : -1;
    update.metadata = json{{"rounds", current ? current->version : -1}};
    auto written = store->update_connection(key, update);
    --inside;
    if (!written) return std::move(written).error();
    return ok();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRoundsPerThread; ++r) {
        if (!store->with_refresh_lock(key, round)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store->find_connection(key)->version, 1 + kThreads * kRoundsPerThread);
}

TEST_P(RefreshLockTest, DifferentKeysDoNotWaitForEachOther) {
  auto store = open("lock.db");
  std::promise<void> second_entered;
  auto second_entered_future = second_entered.get_future();
  std::future<void> second;
  auto held = store->with_refresh_lock({"jira", "u1"}, [&]() -> Status {
    second = std::async(std::launch::async, [&] {
      (void)store->with_refresh_lock({"jira", "u2"}, [&] {
        second_entered.set_value();
        return ok();
      });
    });
    // Still holding u1: u2's holder must get in anyway.
    if (second_entered_future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Error{Errc::internal, "u2 waited for u1"};
    }
    return ok();
  });
  second.wait();
  EXPECT_TRUE(held) << (held ? "" : held.error().message);
}

TEST_P(RefreshLockTest, ReturnsWhatTheHolderReturns) {
  auto store = open("lock.db");
  auto failed = store->with_refresh_lock({"jira", "u1"}, [] {
    return Status(Error{Errc::upstream_auth_failed, "invalid_grant"});
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::upstream_auth_failed);
  EXPECT_EQ(failed.error().message, "invalid_grant");
}

TEST(KeyedLocks, ForgetsKeysOnceNoOneHoldsThem) {
  KeyedLocks locks;
  ASSERT_TRUE(locks.with_lock({"jira", "u1"}, [&] {
    EXPECT_EQ(locks.size(), 1u);
    return locks.with_lock({"jira", "u2"}, [&] {
      EXPECT_EQ(locks.size(), 2u);
      return ok();
    });
  }));
  EXPECT_EQ(locks.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RefreshLockTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ferry::store
