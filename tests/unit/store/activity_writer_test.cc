#include "ferry/store/activity_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <mutex>
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

using ActivityWriterOverflowTest = testing::SqliteStoreTest;

// A writer that falls behind drops entries at its queue rather than slow a call, and says
// so in the server log (which operators read), not only in a counter.
TEST_F(ActivityWriterOverflowTest, EntriesDroppedAtAFullQueueAreReportedInTheLog) {
  const std::string log_file = (dir_ / "server.log").string();
  ASSERT_TRUE(observe::init_logging({observe::Level::warn, log_file, false}));
  auto inner = open("db");
  ASSERT_TRUE(inner);
  auto counting = std::make_shared<CountingStore>(inner.get());
  std::mutex gate;
  std::unique_lock held(gate);
  counting->on_append = [&gate] { std::lock_guard wait(gate); };
  {
    ActivityWriterOptions options;
    options.queue_capacity = 10;
    options.batch_size = 5;
    options.flush_interval = std::chrono::milliseconds(5);
    ActivityWriter writer(counting, options);
    for (int i = 0; i < 5; ++i) writer.record(entry_at(TimePoint{}, 200));
    // The writer takes a batch and waits in the store: the queue fills, then drops.
    ASSERT_TRUE(eventually([&] {
      writer.record(entry_at(TimePoint{}, 200));
      return writer.overflowed() >= 20;
    }));
    held.unlock();
    writer.flush();
    EXPECT_EQ(writer.dropped(), writer.overflowed());
  }
  std::ifstream in(log_file);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("activity log: "), std::string::npos) << log;
  EXPECT_NE(log.find(" entries dropped: the queue of 10 entries was full"), std::string::npos)
      << log;
  (void)observe::init_logging({observe::Level::warn, "", true});
}

}  // namespace
}  // namespace ferry::store
