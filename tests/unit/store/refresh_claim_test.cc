#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ferry/store/refresh_claims.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::make_connection;
using testing::StoreTest;

class RefreshClaimTest : public StoreTest {};

constexpr int kThreads = 4;
constexpr int kRoundsPerThread = 25;

// Each round is what a refresh does: claim, read the row, write it back conditioned on the
// version it read, release. Rounds that got a claim never overlap; overlapping ones would
// show more than one holder inside and conflict on the version.
TEST_P(RefreshClaimTest, HoldersOfOneKeyNeverOverlap) {
  auto store = open("claim.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1")));
  const ConnectionKey key{"jira", "u1"};
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::atomic<int> rounds{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kRoundsPerThread;) {
        auto claim = store->try_claim_refresh(key);
        if (!claim) {
          ++failures;
          return;
        }
        if (!*claim) {
          std::this_thread::yield();
          continue;
        }
        const int now_inside = ++inside;
        int seen = max_inside.load();
        while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
        }
        auto current = store->find_connection(key);
        std::this_thread::yield();  // invite another thread in, should the claim let it
        ConnectionUpdate update;
        update.expected_version = current ? current->version : -1;
        update.metadata = json{{"rounds", current ? current->version : -1}};
        if (!store->update_connection(key, update)) ++failures;
        --inside;
        claim->reset();
        ++rounds;
        ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(rounds, kThreads * kRoundsPerThread);
  EXPECT_EQ(store->find_connection(key)->version, 1 + kThreads * kRoundsPerThread);
}

TEST_P(RefreshClaimTest, AHeldClaimRefusesOthersUntilReleasedAndKeysAreIndependent) {
  auto store = open("claim.db");
  auto first = store->try_claim_refresh({"jira", "u1"});
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(store->try_claim_refresh({"jira", "u1"}).value(), nullptr);
  auto other = store->try_claim_refresh({"jira", "u2"});
  ASSERT_TRUE(other && *other) << "another key is not held by u1's claim";
  first->reset();
  auto again = store->try_claim_refresh({"jira", "u1"});
  EXPECT_TRUE(again && *again);
}

TEST_P(RefreshClaimTest, AClaimMayBeReleasedOnAnotherThread) {
  auto store = open("claim.db");
  auto claim = store->try_claim_refresh({"jira", "u1"});
  ASSERT_TRUE(claim && *claim);
  std::thread([held = std::move(*claim)]() mutable { held.reset(); }).join();
  auto again = store->try_claim_refresh({"jira", "u1"});
  EXPECT_TRUE(again && *again);
}

INSTANTIATE_TEST_SUITE_P(Backends, RefreshClaimTest, testing::kAllBackends, testing::backend_name);

TEST(RefreshClaims, ForgetsKeysOnceReleased) {
  RefreshClaims claims;
  auto u1 = claims.try_claim({"jira", "u1"});
  auto u2 = claims.try_claim({"jira", "u2"});
  EXPECT_EQ(claims.size(), 2u);
  u1.reset();
  u2.reset();
  EXPECT_EQ(claims.size(), 0u);
}

}  // namespace
}  // namespace ferry::store
