#include "ferry/store/cached_store.h"

#include <gtest/gtest.h>

#include <atomic>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::make_connection;
using testing::StoreTest;

// Passes everything to `inner` and counts find_connection calls.
class CountingStore final : public Store {
 public:
  explicit CountingStore(Store* inner) : inner_(inner) {}
  std::atomic<int> finds{0};

  Result<Connection> create_connection(Connection c) override {
    return inner_->create_connection(std::move(c));
  }
  Result<Connection> find_connection(const ConnectionKey& key) override {
    ++finds;
    return inner_->find_connection(key);
  }
  Result<std::vector<Connection>> list_connections(const ConnectionFilter& f) override {
    return inner_->list_connections(f);
  }
  Status delete_connection(const ConnectionKey& key) override {
    return inner_->delete_connection(key);
  }
  Result<Connection> update_connection(const ConnectionKey& key,
                                       const ConnectionUpdate& u) override {
    return inner_->update_connection(key, u);
  }
  Status set_metadata(const std::string& pck, const std::vector<std::string>& ids,
                      const json& metadata, bool merge) override {
    return inner_->set_metadata(pck, ids, metadata, merge);
  }
  Status save_oauth_state(const OAuthSession& s) override { return inner_->save_oauth_state(s); }
  Result<OAuthSession> take_oauth_state(std::string_view s) override {
    return inner_->take_oauth_state(s);
  }
  Status save_connect_session(const ConnectSession& s) override {
    return inner_->save_connect_session(s);
  }
  Result<ConnectSession> find_connect_session(std::string_view h) override {
    return inner_->find_connect_session(h);
  }
  Status append_activity(const std::vector<ActivityEntry>& e) override {
    return inner_->append_activity(e);
  }
  Result<std::vector<ActivityEntry>> list_activity(const ActivityFilter& f) override {
    return inner_->list_activity(f);
  }
  Status prune_activity(std::size_t rows, std::chrono::seconds age) override {
    return inner_->prune_activity(rows, age);
  }
  Status with_refresh_lock(const ConnectionKey& key, const std::function<Status()>& fn) override {
    return inner_->with_refresh_lock(key, fn);
  }

 private:
  Store* inner_;
};

// A CachedStore over a counting view of a real SQLite store, which the test can also
// write to directly (as another instance would).
class CachedStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    sqlite_ = open("cache.db");
    auto counting = std::make_unique<CountingStore>(sqlite_.get());
    counting_ = counting.get();
    cached_ = std::make_unique<CachedStore>(std::move(counting));
  }

  std::unique_ptr<Store> sqlite_;
  CountingStore* counting_ = nullptr;
  std::unique_ptr<CachedStore> cached_;
};

TEST_F(CachedStoreTest, RepeatedFindsAreServedFromMemory) {
  ASSERT_TRUE(cached_->create_connection(make_connection("jira", "u1")));
  for (int i = 0; i < 3; ++i) {
    auto found = cached_->find_connection({"jira", "u1"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->credentials["access_token"], "at-u1");
  }
  EXPECT_EQ(counting_->finds, 1);
  EXPECT_EQ(cached_->cached_count(), 1u);
}

TEST_F(CachedStoreTest, MissesAreNotCached) {
  EXPECT_EQ(cached_->find_connection({"jira", "u1"}).error().code, Errc::not_found);
  ASSERT_TRUE(sqlite_->create_connection(make_connection("jira", "u1")));
  EXPECT_TRUE(cached_->find_connection({"jira", "u1"}));
}

TEST_F(CachedStoreTest, UpdateThroughTheCacheIsSeenByTheNextFind) {
  ASSERT_TRUE(cached_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(cached_->find_connection({"jira", "u1"}));
  ConnectionUpdate update;
  update.credentials = json{{"type", "OAUTH2"}, {"access_token", "refreshed"}};
  ASSERT_TRUE(cached_->update_connection({"jira", "u1"}, update));
  EXPECT_EQ(cached_->find_connection({"jira", "u1"})->credentials["access_token"], "refreshed");
  EXPECT_EQ(counting_->finds, 2);
}

TEST_F(CachedStoreTest, SetMetadataInvalidatesEveryListedConnection) {
  for (const char* id : {"u1", "u2", "u3"}) {
    ASSERT_TRUE(cached_->create_connection(make_connection("jira", id)));
    ASSERT_TRUE(cached_->find_connection({"jira", id}));
  }
  ASSERT_TRUE(cached_->set_metadata("jira", {"u1", "u2"}, json{{"plan", "pro"}}, true));
  EXPECT_EQ(cached_->find_connection({"jira", "u1"})->metadata["plan"], "pro");
  EXPECT_EQ(cached_->find_connection({"jira", "u2"})->metadata["plan"], "pro");
  EXPECT_EQ(cached_->find_connection({"jira", "u3"})->metadata, json::object());
  EXPECT_EQ(counting_->finds, 5);  // three first reads, then u1 and u2 again; u3 cached
}

TEST_F(CachedStoreTest, DeleteThroughTheCacheMakesTheConnectionGone) {
  ASSERT_TRUE(cached_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(cached_->find_connection({"jira", "u1"}));
  ASSERT_TRUE(cached_->delete_connection({"jira", "u1"}));
  EXPECT_EQ(cached_->find_connection({"jira", "u1"}).error().code, Errc::not_found);
}

TEST_F(CachedStoreTest, WritesElsewhereNeedAnExplicitInvalidation) {
  ASSERT_TRUE(cached_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(cached_->find_connection({"jira", "u1"}));
  ConnectionUpdate update;
  update.metadata = json{{"by", "another instance"}};
  ASSERT_TRUE(sqlite_->update_connection({"jira", "u1"}, update));
  EXPECT_EQ(cached_->find_connection({"jira", "u1"})->metadata, json::object());  // stale
  cached_->invalidate({"jira", "u1"});
  EXPECT_EQ(cached_->find_connection({"jira", "u1"})->metadata["by"], "another instance");
  cached_->invalidate_all();
  EXPECT_EQ(cached_->cached_count(), 0u);
}

TEST_F(CachedStoreTest, OtherCallsPassThrough) {
  ASSERT_TRUE(cached_->create_connection(make_connection("jira", "u1")));
  EXPECT_EQ(cached_->list_connections({})->size(), 1u);
  OAuthSession session;
  session.state = "s";
  session.expires_at = clock_->now() + std::chrono::minutes(1);
  ASSERT_TRUE(cached_->save_oauth_state(session));
  EXPECT_TRUE(sqlite_->take_oauth_state("s"));
  ActivityEntry entry;
  entry.type = "proxy";
  ASSERT_TRUE(cached_->append_activity({entry}));
  EXPECT_EQ(sqlite_->list_activity({})->size(), 1u);
  ASSERT_TRUE(cached_->prune_activity(0, std::chrono::seconds(0)));
  EXPECT_EQ(cached_->list_activity({})->size(), 1u);
  bool ran = false;
  ASSERT_TRUE(cached_->with_refresh_lock({"jira", "u1"}, [&] {
    ran = true;
    return ok();
  }));
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace ferry::store
