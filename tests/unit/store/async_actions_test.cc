// Asynchronous action runs on both backends: a run written running, finished once, read back
// only in its environment; a run whose lease ran out reads as failed and is marked so by
// maintenance; results past the size bound are refused; old runs are pruned; rows survive a
// restart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ferry/store/row_codec.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::StoreTest;
using namespace std::chrono_literals;

class AsyncActionsTest : public StoreTest {
 protected:
  AsyncActionRun run(const std::string& id, std::string environment = "prod") {
    AsyncActionRun r;
    r.id = id;
    r.environment = std::move(environment);
    r.key = {"jira", "u1"};
    r.action_name = "create-issue";
    r.lease_until = clock_->now() + 5min;
    return r;
  }
};

TEST_P(AsyncActionsTest, ARunIsRunningUntilItsResultIsWrittenOnce) {
  auto store = open("a.db");
  ASSERT_TRUE(store->start_async_action(run("r1")));
  auto found = store->find_async_action("prod", "r1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->state, AsyncActionState::running);
  EXPECT_EQ(found->key, (ConnectionKey{"jira", "u1"}));
  EXPECT_EQ(found->action_name, "create-issue");
  EXPECT_EQ(found->created_at, truncate_millis(clock_->now()));
  EXPECT_FALSE(found->finished_at);

  clock_->advance(2s);
  const std::string output = json{{"issue", "ABC-1"}}.dump();
  ASSERT_TRUE(store->finish_async_action("r1", AsyncActionState::succeeded, output));
  found = store->find_async_action("prod", "r1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, AsyncActionState::succeeded);
  EXPECT_EQ(found->result, output);
  EXPECT_EQ(found->finished_at, truncate_millis(clock_->now()));

  // A result is written once.
  EXPECT_EQ(store->finish_async_action("r1", AsyncActionState::failed, "{}").error().code,
            Errc::conflict);
  EXPECT_EQ(store->find_async_action("prod", "r1")->result, output);
}

TEST_P(AsyncActionsTest, ARunIsOnlyFoundInItsEnvironment) {
  auto store = open("a.db");
  ASSERT_TRUE(store->start_async_action(run("r1", "prod")));
  auto other = store->find_async_action("dev", "r1");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::not_found);
  EXPECT_EQ(store->find_async_action("prod", "nope").error().code, Errc::not_found);
  EXPECT_EQ(store->finish_async_action("nope", AsyncActionState::failed, "{}").error().code,
            Errc::not_found);
}

TEST_P(AsyncActionsTest, BadRunsAndDuplicateIdsAreRefused) {
  auto store = open("a.db");
  AsyncActionRun nameless = run("r1");
  nameless.action_name.clear();
  EXPECT_EQ(store->start_async_action(nameless).error().code, Errc::invalid_argument);
  AsyncActionRun finished = run("r1");
  finished.state = AsyncActionState::succeeded;
  EXPECT_EQ(store->start_async_action(finished).error().code, Errc::invalid_argument);
  ASSERT_TRUE(store->start_async_action(run("r1")));
  EXPECT_EQ(store->start_async_action(run("r1")).error().code, Errc::conflict);
  EXPECT_EQ(store->finish_async_action("r1", AsyncActionState::running, "{}").error().code,
            Errc::invalid_argument);
}

TEST_P(AsyncActionsTest, AResultPastTheBoundIsRefusedAndTheRunStaysRunning) {
  auto store = open("a.db");
  ASSERT_TRUE(store->start_async_action(run("r1")));
  const std::string huge =
      "\"" + std::string(kMaxAsyncActionResultBytes, 'x') + "\"";  // two bytes over
  EXPECT_EQ(store->finish_async_action("r1", AsyncActionState::succeeded, huge).error().code,
            Errc::payload_too_large);
  EXPECT_EQ(store->find_async_action("prod", "r1")->state, AsyncActionState::running);
  // The failure that says so fits.
  ASSERT_TRUE(store->finish_async_action("r1", AsyncActionState::failed,
                                         json{{"code", "action_failed"}}.dump()));
}

TEST_P(AsyncActionsTest, ARunWhoseLeaseRanOutReadsAsFailedAndIsMarkedSo) {
  auto store = open("a.db");
  ASSERT_TRUE(store->start_async_action(run("r1")));  // lease: 5 minutes
  ASSERT_TRUE(store->start_async_action(run("r2")));
  ASSERT_TRUE(store->finish_async_action("r2", AsyncActionState::succeeded, "1"));
  clock_->advance(5min);

  auto found = store->find_async_action("prod", "r1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, AsyncActionState::failed);
  EXPECT_EQ(json::parse(found->result)["message"],
            "the action did not finish: the server running it stopped");
  // Maintenance writes it down; a late result is then refused.
  ASSERT_EQ(*store->prune_async_actions(clock_->now() - 24h, 100), 0u);
  EXPECT_EQ(store->finish_async_action("r1", AsyncActionState::succeeded, "1").error().code,
            Errc::conflict);
  EXPECT_EQ(store->find_async_action("prod", "r1")->state, AsyncActionState::failed);
  // A finished run is not touched.
  EXPECT_EQ(store->find_async_action("prod", "r2")->result, "1");
}

TEST_P(AsyncActionsTest, RunsOlderThanTheRetentionArePrunedInRounds) {
  auto store = open("a.db");
  for (const char* id : {"old1", "old2", "old3"}) ASSERT_TRUE(store->start_async_action(run(id)));
  clock_->advance(25h);
  ASSERT_TRUE(store->start_async_action(run("new")));
  const TimePoint before = clock_->now() - 24h;
  EXPECT_EQ(*store->prune_async_actions(before, 2), 2u);
  EXPECT_EQ(*store->prune_async_actions(before, 2), 1u);
  EXPECT_EQ(*store->prune_async_actions(before, 2), 0u);
  EXPECT_EQ(store->find_async_action("prod", "old3").error().code, Errc::not_found);
  EXPECT_EQ(store->find_async_action("prod", "new")->state, AsyncActionState::running);
}

TEST_P(AsyncActionsTest, RunsSurviveAReopen) {
  {
    auto store = open("a.db");
    ASSERT_TRUE(store->start_async_action(run("r1")));
    ASSERT_TRUE(store->start_async_action(run("r2")));
    ASSERT_TRUE(store->finish_async_action("r2", AsyncActionState::failed, "{\"code\":\"x\"}"));
  }
  auto store = open("a.db");
  EXPECT_EQ(store->find_async_action("prod", "r1")->state, AsyncActionState::running);
  EXPECT_EQ(store->find_async_action("prod", "r2")->result, "{\"code\":\"x\"}");
}

INSTANTIATE_TEST_SUITE_P(Backends, AsyncActionsTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ferry::store
