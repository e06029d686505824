#include "ferry/store/activity_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "counting_store.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

using testing::CountingStore;
using testing::StoreTest;

class ActivityWriterTest : public StoreTest {};

ActivityEntry entry_at(TimePoint at, int status) {
  ActivityEntry e;
  e.timestamp = at;
  e.type = "proxy";
  e.provider_config_key = "jira";
  e.connection_id = "u1";
  e.status = status;
  return e;
}

// Waits (bounded) until `done` holds; the condition, not the time, is what the test checks.
template <class Predicate>
bool eventually(Predicate done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_P(ActivityWriterTest, PrunesABacklogInRoundsOfItsBatchAndKeepsTheRecentEntries) {
  std::unique_ptr<Store> sqlite = open("writer.db");
  const TimePoint now = clock_->now();
  std::vector<ActivityEntry> backlog;
  for (int i = 0; i < 35; ++i) backlog.push_back(entry_at(now - std::chrono::days(30), 500));
  ASSERT_TRUE(sqlite->append_activity(backlog));

  auto counting = std::make_shared<CountingStore>(sqlite.get());
  ActivityWriterOptions options;
  options.retention_age = std::chrono::days(15);
  options.retention_rows = 0;
  options.prune_batch = 10;
  options.prune_interval = std::chrono::hours(1);  // one pruning pass in this test
  {
    ActivityWriter writer(counting, options);
    writer.record(entry_at(now, 200));
    writer.flush();
    ASSERT_TRUE(eventually([&] { return writer.pruned() == 35; })) << writer.pruned();
  }
  auto left = sqlite->list_activity({});
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].status, 200);
  // Four rounds (10, 10, 10, 5), each limited to the batch; the short one ends the pass.
  std::lock_guard lock(counting->prune_mutex);
  EXPECT_EQ(counting->prune_limits, (std::vector<std::size_t>{10, 10, 10, 10}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ActivityWriterTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ferry::store
