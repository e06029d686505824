// Peers on PostgreSQL: two PostgresStore objects on one database are two Ferry instances.
// Each hears the other's connection writes and OAuth flow results, never its own.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "ferry/store/postgres/postgres_peers.h"
#include "postgres_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::eventually;
using testing::make_connection;
using testing::PostgresTest;

// What one instance's handlers were told, in order, from the listener thread.
class Heard {
 public:
  PeerHandlers handlers() {
    PeerHandlers h;
    h.connection_changed = [this](const ConnectionKey& key) {
      add("changed " + key.provider_config_key + "/" + key.connection_id);
    };
    h.all_connections_changed = [this] { add("all"); };
    h.flow_result = [this](const std::string& id, const json& message) {
      add("flow " + id + " " + message.dump());
    };
    return h;
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool has(const std::string& event) const {
    std::lock_guard lock(mu_);
    return std::find(events_.begin(), events_.end(), event) != events_.end();
  }
  std::size_t count(const std::string& event) const {
    std::lock_guard lock(mu_);
    return static_cast<std::size_t>(std::count(events_.begin(), events_.end(), event));
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  void add(std::string event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

class PostgresPeersTest : public PostgresTest {
 protected:
  // Two instances on database "db", each listening (its first "all" heard).
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped()) return;
    first_ = open_postgres("db");
    second_ = open_postgres("db");
    ASSERT_TRUE(first_ && second_);
    first_peers_ = join(*first_, first_heard_);
    second_peers_ = join(*second_, second_heard_);
    ASSERT_TRUE(first_peers_ && second_peers_);
    ASSERT_TRUE(eventually([&] { return first_heard_.has("all") && second_heard_.has("all"); }));
    first_heard_.clear();
    second_heard_.clear();
  }
  void TearDown() override {
    first_peers_.reset();
    second_peers_.reset();
    PostgresTest::TearDown();
  }

  static std::unique_ptr<Peers> join(Store& store, Heard& heard) {
    auto peers = store.join_peers(heard.handlers());
    EXPECT_TRUE(peers) << (peers ? "" : peers.error().message);
    return peers ? std::move(*peers) : nullptr;
  }

  std::unique_ptr<PostgresStore> first_, second_;
  Heard first_heard_, second_heard_;
  std::unique_ptr<Peers> first_peers_, second_peers_;
};

TEST_F(PostgresPeersTest, EveryConnectionWriteIsHeardByTheOtherInstanceOnly) {
  const std::string changed = "changed jira/u1";
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(eventually([&] { return second_heard_.count(changed) == 1; }));

  ConnectionUpdate update;
  update.errors = json::array();
  ASSERT_TRUE(first_->update_connection({"jira", "u1"}, update));
  ASSERT_TRUE(eventually([&] { return second_heard_.count(changed) == 2; }));

  ASSERT_TRUE(first_->set_metadata("jira", {"u1"}, {{"plan", "pro"}}, false));
  ASSERT_TRUE(eventually([&] { return second_heard_.count(changed) == 3; }));

  ASSERT_TRUE(first_->delete_connection({"jira", "u1"}));
  ASSERT_TRUE(eventually([&] { return second_heard_.count(changed) == 4; }));

  // A round trip through the second instance proves the first had time to hear itself.
  ASSERT_TRUE(second_->create_connection(make_connection("jira", "u2")));
  ASSERT_TRUE(eventually([&] { return first_heard_.has("changed jira/u2"); }));
  EXPECT_FALSE(first_heard_.has(changed)) << "an instance was told of its own writes";
  EXPECT_FALSE(second_heard_.has("changed jira/u2"));
  EXPECT_EQ(second_heard_.events(), std::vector<std::string>(4, changed));
}

TEST_F(PostgresPeersTest, AWriteThatRollsBackIsNotAnnounced) {
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(eventually([&] { return second_heard_.has("changed jira/u1"); }));
  second_heard_.clear();
  ConnectionUpdate stale;
  stale.expected_version = 99;  // refused after the row was locked: nothing written
  EXPECT_FALSE(first_->update_connection({"jira", "u1"}, stale));
  // set_metadata naming one unknown id writes nothing, also for the known one.
  EXPECT_FALSE(first_->set_metadata("jira", {"u1", "nobody"}, {{"a", 1}}, false));
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "marker")));
  ASSERT_TRUE(eventually([&] { return second_heard_.has("changed jira/marker"); }));
  EXPECT_EQ(second_heard_.events(), std::vector<std::string>{"changed jira/marker"});
}

TEST_F(PostgresPeersTest, EditsMadeOutsideFerryReachEveryInstance) {
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "u1")));
  ASSERT_TRUE(eventually([&] { return second_heard_.has("changed jira/u1"); }));
  auto db = admin("db");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->run("UPDATE connections SET metadata = '{\"by\":\"psql\"}'", {}, "edit"));
  EXPECT_TRUE(eventually([&] {
    return first_heard_.has("changed jira/u1") && second_heard_.count("changed jira/u1") == 2;
  }));
  ASSERT_TRUE(db->run("TRUNCATE connections", {}, "truncate"));
  EXPECT_TRUE(eventually([&] { return first_heard_.has("all") && second_heard_.has("all"); }));
}

TEST_F(PostgresPeersTest, AKeyTooLongForAnAnnouncementIsAnnouncedAsAnyConnection) {
  // NOTIFY refuses payloads of 8000 bytes: the write must not fail for it.
  const std::string long_id(9000, 'x');
  ASSERT_TRUE(first_->create_connection(make_connection("jira", long_id)));
  EXPECT_TRUE(eventually([&] { return second_heard_.has("all"); }));
  EXPECT_TRUE(first_->find_connection({"jira", long_id}));
}

TEST_F(PostgresPeersTest, ALostListeningSessionComesBackAndSaysAnnouncementsWereMissed) {
  auto* peers = dynamic_cast<pg::PostgresPeers*>(second_peers_.get());
  ASSERT_NE(peers, nullptr);
  EXPECT_EQ(peers->listening_sessions(), 1u);
  auto server = maintenance();
  ASSERT_TRUE(server);
  // Both instances' listening sessions, found by their last statement.
  const std::string terminate =
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 "
      "AND query LIKE 'LISTEN %'";
  EXPECT_EQ(query_int(*server, terminate, {pg::text(databases_->database_name("db"))}), 2);
  ASSERT_TRUE(eventually([&] { return peers->listening_sessions() == 2; }));
  EXPECT_TRUE(eventually([&] { return second_heard_.has("all") && first_heard_.has("all"); }));
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "after")));
  EXPECT_TRUE(eventually([&] { return second_heard_.has("changed jira/after"); }));
}

TEST_F(PostgresPeersTest, FlowResultsReachTheOtherInstances) {
  const json message = {{"message_type", "success"},
                        {"provider_config_key", "jira"},
                        {"connection_id", "u1"}};
  ASSERT_TRUE(first_peers_->announce_flow_result("ws-1", message));
  const std::string heard = "flow ws-1 " + message.dump();
  ASSERT_TRUE(eventually([&] { return second_heard_.has(heard); }));
  ASSERT_TRUE(second_->create_connection(make_connection("jira", "marker")));
  ASSERT_TRUE(eventually([&] { return first_heard_.has("changed jira/marker"); }));
  EXPECT_FALSE(first_heard_.has(heard));
}

// A new instance says it is ready only once it listens: what another instance announces
// right after the join returns reaches it, without waiting for its first "all".
TEST_F(PostgresPeersTest, AJoinReturnsListeningSoTheNextAnnouncementIsHeard) {
  auto third = open_postgres("db");
  ASSERT_TRUE(third);
  Heard third_heard;
  auto third_peers = join(*third, third_heard);
  ASSERT_TRUE(third_peers);
  auto* peers = dynamic_cast<pg::PostgresPeers*>(third_peers.get());
  ASSERT_NE(peers, nullptr);
  EXPECT_EQ(peers->listening_sessions(), 1u);
  EXPECT_TRUE(third_heard.has("all"));
  const json message = {{"message_type", "success"}, {"connection_id", "u3"}};
  ASSERT_TRUE(first_peers_->announce_flow_result("ws-3", message));
  EXPECT_TRUE(eventually([&] { return third_heard.has("flow ws-3 " + message.dump()); }));
  third_peers.reset();
}

TEST_F(PostgresPeersTest, AFlowResultTooLargeToAnnounceIsRefusedAndNothingIsSent) {
  const json message = {{"message_type", "error"}, {"error_desc", std::string(8000, 'x')}};
  auto announced = first_peers_->announce_flow_result("ws-1", message);
  ASSERT_FALSE(announced);
  EXPECT_EQ(announced.error().code, Errc::invalid_argument);
  EXPECT_NE(announced.error().message.find("too large"), std::string::npos);
  // The instance still announces what fits.
  EXPECT_TRUE(first_peers_->announce_flow_result("ws-2", {{"message_type", "success"}}));
  ASSERT_TRUE(eventually([&] { return !second_heard_.events().empty(); }));
  EXPECT_EQ(second_heard_.events().front().rfind("flow ws-2 ", 0), 0u);
}

TEST_F(PostgresPeersTest, ANotificationThatIsNotOursIsReadAsAnyConnectionChanged) {
  auto db = admin("db");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->run("NOTIFY ferry_connection_changes, 'not json'", {}, "notify"));
  ASSERT_TRUE(db->run("NOTIFY ferry_flow_results, '{\"ws_client_id\": 7}'", {}, "notify"));
  EXPECT_TRUE(eventually([&] { return second_heard_.has("all") && first_heard_.has("all"); }));
  ASSERT_TRUE(first_->create_connection(make_connection("jira", "marker")));
  ASSERT_TRUE(eventually([&] { return second_heard_.has("changed jira/marker"); }));
  for (const auto& event : second_heard_.events()) EXPECT_NE(event.rfind("flow", 0), 0u) << event;
}

TEST_F(PostgresPeersTest, DestroyingPeersStopsListeningPromptly) {
  auto server = maintenance();
  ASSERT_TRUE(server);
  const std::string listening =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %'";
  const auto database = pg::text(databases_->database_name("db"));
  EXPECT_EQ(query_int(*server, listening, {database}), 2);
  second_peers_.reset();
  EXPECT_TRUE(eventually([&] { return query_int(*server, listening, {database}) == 1; }));
}

}  // namespace
}  // namespace ferry::store
