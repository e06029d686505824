#include "ferry/store/connection_cache.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "counting_store.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/store/write_through_store.h"
#include "store_fixture.h"

namespace ferry::store {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using testing::CountingStore;
using testing::make_connection;
using testing::SqliteStoreTest;
using Snapshot = std::shared_ptr<const Connection>;

// Runs `task` on `ioc` (the test thread plays that I/O thread) until it and everything it
// posted are done.
template <class T>
T run_on(net::io_context& ioc, net::awaitable<T> task) {
  std::optional<T> out;
  net::co_spawn(
      ioc, [&]() -> net::awaitable<void> { out.emplace(co_await std::move(task)); }, net::detached);
  ioc.restart();
  ioc.run();
  return std::move(*out);
}

void drain(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

// One or two I/O threads (io_contexts run in turn on the test thread), a connection cache
// over a counting view of a real SQLite store, and the write-through store in front of it.
class ConnectionCacheTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    sqlite_ = open("cache.db");
    counting_ = std::make_shared<CountingStore>(sqlite_.get());
    cache_ = std::make_shared<ConnectionCache>(
        counting_, IoWorkers({worker_.get_executor(), other_worker_.get_executor()}), blocking_);
    store_ = std::make_shared<WriteThroughStore>(counting_, cache_);
  }

  Result<Snapshot> find(const ConnectionKey& key, net::io_context& on) {
    return run_on(on, cache_->find(key));
  }
  Result<Snapshot> find(const ConnectionKey& key) { return find(key, worker_); }

  net::io_context worker_{1};
  net::io_context other_worker_{1};
  BlockingPool blocking_{1};
  std::unique_ptr<Store> sqlite_;
  std::shared_ptr<CountingStore> counting_;
  std::shared_ptr<ConnectionCache> cache_;
  std::shared_ptr<WriteThroughStore> store_;
};

TEST_F(ConnectionCacheTest, RepeatedFindsShareOneSnapshotWithoutReadingAgain) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  drain(worker_);
  auto first = find({"jira", "u1"});
  ASSERT_TRUE(first);
  for (int i = 0; i < 3; ++i) {
    auto again = find({"jira", "u1"});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->get(), first->get()) << "the snapshot is shared, not copied";
  }
  EXPECT_EQ((*first)->credentials.access_token, "at-u1");
  EXPECT_EQ(counting_->finds, 1);
  EXPECT_EQ(cache_->cached_count(worker_.get_executor()), 1u);
}

TEST_F(ConnectionCacheTest, EachIoThreadHasItsOwnSnapshots) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(find({"jira", "u1"}, worker_));
  ASSERT_TRUE(find({"jira", "u1"}, other_worker_));
  ASSERT_TRUE(find({"jira", "u1"}, other_worker_));
  EXPECT_EQ(counting_->finds, 2);
  EXPECT_EQ(cache_->cached_count(other_worker_.get_executor()), 1u);
}

TEST_F(ConnectionCacheTest, MissesAreNotCached) {
  EXPECT_EQ(find({"jira", "u1"}).error().code, Errc::not_found);
  ASSERT_TRUE(sqlite_->create_connection(make_connection("jira", "u1")));
  EXPECT_TRUE(find({"jira", "u1"}));
}

TEST_F(ConnectionCacheTest, AnUpdateReplacesTheSnapshotOnEveryThreadWithoutAReadBack) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  auto before = find({"jira", "u1"}, worker_);
  ASSERT_TRUE(before);
  ASSERT_TRUE(find({"jira", "u1"}, other_worker_));
  ConnectionUpdate update;
  update.credentials = testing::access_token_only("refreshed");
  ASSERT_TRUE(store_->update_connection({"jira", "u1"}, update));
  for (net::io_context* on : {&worker_, &other_worker_}) {
    auto after = find({"jira", "u1"}, *on);
    ASSERT_TRUE(after);
    EXPECT_EQ((*after)->credentials.access_token, "refreshed");
  }
  EXPECT_EQ(counting_->finds, 2) << "the published row replaced the snapshots";
  EXPECT_EQ((*before)->credentials.access_token, "at-u1") << "a snapshot is never edited";
}

TEST_F(ConnectionCacheTest, SetMetadataAndDeleteInvalidateTheKeysTheyTouch) {
  for (const char* id : {"u1", "u2", "u3"}) {
    ASSERT_TRUE(store_->create_connection(make_connection("jira", id)));
    ASSERT_TRUE(find({"jira", id}));
  }
  ASSERT_TRUE(store_->set_metadata("jira", {"u1", "u2"}, json{{"plan", "pro"}}, true));
  EXPECT_EQ((*find({"jira", "u1"}))->metadata["plan"], "pro");
  EXPECT_EQ((*find({"jira", "u2"}))->metadata["plan"], "pro");
  EXPECT_EQ((*find({"jira", "u3"}))->metadata, json::object());
  EXPECT_EQ(counting_->finds, 5);  // three first reads, then u1 and u2 again; u3 cached
  ASSERT_TRUE(store_->delete_connection({"jira", "u3"}));
  EXPECT_EQ(find({"jira", "u3"}).error().code, Errc::not_found);
}

TEST_F(ConnectionCacheTest, AReadThatRacedWithAWriteServesItsCallerButIsNotKept) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  drain(worker_);
  // While the miss reads the old row on the blocking pool, another thread writes.
  counting_->on_find = [this] {
    counting_->on_find = nullptr;
    ConnectionUpdate update;
    update.metadata = json{{"written", "meanwhile"}};
    ASSERT_TRUE(store_->update_connection({"jira", "u1"}, update));
  };
  auto raced = find({"jira", "u1"});
  ASSERT_TRUE(raced);
  EXPECT_EQ((*raced)->metadata, json::object());
  auto next = find({"jira", "u1"});
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)->metadata["written"], "meanwhile");
  EXPECT_EQ(counting_->finds, 2);
}

TEST_F(ConnectionCacheTest, AStaleRowOfARecreatedConnectionIsNeverAdopted) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  auto old_row = sqlite_->find_connection({"jira", "u1"});
  ASSERT_TRUE(old_row);
  ASSERT_TRUE(store_->delete_connection({"jira", "u1"}));
  auto recreated = make_connection("jira", "u1");
  recreated.credentials.access_token = "at-new-grant";
  ASSERT_TRUE(store_->create_connection(recreated));
  ASSERT_TRUE(find({"jira", "u1"}));
  // A publish of the deleted row that arrives late, with a higher version.
  old_row->version = 99;
  cache_->publish(std::make_shared<const Connection>(*old_row));
  EXPECT_EQ((*find({"jira", "u1"}))->credentials.access_token, "at-new-grant");
}

TEST_F(ConnectionCacheTest, WritesElsewhereNeedAnExplicitInvalidation) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(find({"jira", "u1"}));
  ConnectionUpdate update;
  update.metadata = json{{"by", "another instance"}};
  ASSERT_TRUE(sqlite_->update_connection({"jira", "u1"}, update));
  EXPECT_EQ((*find({"jira", "u1"}))->metadata, json::object());  // stale
  cache_->invalidate({"jira", "u1"});
  EXPECT_EQ((*find({"jira", "u1"}))->metadata["by"], "another instance");
  cache_->invalidate_all();
  drain(worker_);
  EXPECT_EQ(cache_->cached_count(worker_.get_executor()), 0u);
}

TEST_F(ConnectionCacheTest, CallersOffTheIoThreadsReadThrough) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  net::io_context elsewhere;
  ASSERT_TRUE(find({"jira", "u1"}, elsewhere));
  ASSERT_TRUE(find({"jira", "u1"}, elsewhere));
  EXPECT_EQ(counting_->finds, 2);
  EXPECT_EQ(cache_->cached_count(elsewhere.get_executor()), 0u);
}

TEST_F(ConnectionCacheTest, OtherCallsPassThroughTheWriteThroughStore) {
  ASSERT_TRUE(store_->create_connection(make_connection("jira", "u1")));
  EXPECT_EQ(store_->list_connections({})->size(), 1u);
  OAuthSession session;
  session.state = "s";
  session.expires_at = clock_->now() + std::chrono::minutes(1);
  ASSERT_TRUE(store_->save_oauth_state(session, {}));
  EXPECT_TRUE(sqlite_->take_oauth_state("s"));
  ActivityEntry entry;
  entry.type = "proxy";
  ASSERT_TRUE(store_->append_activity({entry}));
  EXPECT_EQ(sqlite_->list_activity({})->size(), 1u);
  ASSERT_TRUE(store_->prune_activity(0, std::chrono::seconds(0), 100));
  EXPECT_EQ(store_->list_activity({})->size(), 1u);
  auto claim = store_->try_claim_refresh({"jira", "u1"});
  ASSERT_TRUE(claim && *claim);
  EXPECT_EQ(sqlite_->try_claim_refresh({"jira", "u1"}).value(), nullptr);
}

}  // namespace
}  // namespace ferry::store
