// The webhook outbox on both backends: events written with the connection change that
// caused them (and not without it), leases in order per connection, retries, expired
// leases, dead letters and replay, pruning; and, on PostgreSQL, two instances leasing at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using testing::make_connection;
using testing::StoreTest;
using namespace std::chrono_literals;

class OutboxTest : public StoreTest {};

OutboxEvent event(const std::string& id, const std::string& connection_id,
                  const std::string& type = "connection.created") {
  OutboxEvent e;
  e.id = id;
  e.key = {"jira", connection_id};
  e.type = type;
  e.body = json{{"event", id}}.dump();
  return e;
}

std::vector<std::string> ids_of(const std::vector<OutboxEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

std::vector<std::string> all_ids(Store& store) {
  OutboxFilter filter;
  filter.limit = 0;
  auto listed = store.list_outbox(filter);
  EXPECT_TRUE(listed) << listed.error().message;
  return listed ? ids_of(*listed) : std::vector<std::string>();
}

OutboxAttempt delivered(TimePoint at) {
  OutboxAttempt a;
  a.at = at;
  a.status = 200;
  a.next_state = OutboxState::delivered;
  return a;
}

TEST_P(OutboxTest, EventsAreWrittenWithTheirChangeAndOnlyWithIt) {
  auto store = open("o.db");
  ASSERT_TRUE(store->create_connection(make_connection("jira", "u1"), {event("e1", "u1")}));
  // A create that fails (the connection exists) writes no event.
  EXPECT_EQ(store->create_connection(make_connection("jira", "u1"), {event("e2", "u1")})
                .error()
                .code,
            Errc::conflict);

  ConnectionUpdate update;
  update.errors = json::array({{{"type", "auth"}, {"message", "revoked"}}});
  update.events = {event("e3", "u1", "connection.refresh_failed")};
  ASSERT_TRUE(store->update_connection({"jira", "u1"}, update));
  // An update refused by its version check writes no event either.
  update.expected_version = 99;
  update.events = {event("e4", "u1")};
  EXPECT_EQ(store->update_connection({"jira", "u1"}, update).error().code, Errc::conflict);

  ASSERT_TRUE(store->delete_connection({"jira", "u1"}, {event("e5", "u1", "connection.deleted")}));
  EXPECT_EQ(store->delete_connection({"jira", "u1"}, {event("e6", "u1")}).error().code,
            Errc::not_found);

  EXPECT_EQ(all_ids(*store), (std::vector<std::string>{"e5", "e3", "e1"}));  // newest first
  OutboxFilter pending;
  pending.state = OutboxState::pending;
  auto listed = store->list_outbox(pending);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(listed->back().type, "connection.created");
  EXPECT_EQ(listed->back().body, R"({"event":"e1"})");
  EXPECT_EQ(listed->back().created_at, clock_->now());
  EXPECT_EQ(listed->back().attempts, 0);
}

TEST_P(OutboxTest, AnIdAlreadyStoredIsNotWrittenTwiceAndBadEventsAreRefused) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("same", "u1"), event("same", "u1")}));
  ASSERT_TRUE(store->append_outbox({event("same", "u1")}));
  EXPECT_EQ(all_ids(*store), (std::vector<std::string>{"same"}));

  OutboxEvent no_body = event("x", "u1");
  no_body.body.clear();
  auto refused = store->append_outbox({event("y", "u1"), no_body});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_EQ(all_ids(*store), (std::vector<std::string>{"same"}));  // "y" neither
}

TEST_P(OutboxTest, LeasesTakeEachConnectionsOldestEventOnlyInOrder) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("a1", "A"), event("b1", "B"), event("a2", "A")}));
  auto first = store->lease_outbox("w1", clock_->now(), 30s, 10);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(ids_of(*first), (std::vector<std::string>{"a1", "b1"}));
  // Leased, and a2 waits behind a1.
  EXPECT_TRUE(store->lease_outbox("w2", clock_->now(), 30s, 10)->empty());

  ASSERT_TRUE(store->finish_outbox_attempt("a1", "w1", delivered(clock_->now())));
  auto second = store->lease_outbox("w2", clock_->now(), 30s, 10);
  ASSERT_TRUE(second);
  EXPECT_EQ(ids_of(*second), (std::vector<std::string>{"a2"}));

  OutboxFilter filter;
  filter.state = OutboxState::delivered;
  auto done = store->list_outbox(filter);
  ASSERT_TRUE(done);
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ(done->front().attempts, 1);
  EXPECT_EQ(done->front().delivered_at, clock_->now());
  EXPECT_EQ(done->front().attempt_log.size(), 1u);
  EXPECT_EQ(done->front().attempt_log[0]["status"], 200);
}

TEST_P(OutboxTest, ARetryWaitsForItsTimeAndKeepsLaterEventsBehindIt) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("a1", "A"), event("a2", "A")}));
  ASSERT_EQ(store->lease_outbox("w", clock_->now(), 30s, 10)->size(), 1u);
  OutboxAttempt failed;
  failed.at = clock_->now();
  failed.status = 503;
  failed.error = "the receiver answered 503";
  failed.next_state = OutboxState::pending;
  failed.retry_at = clock_->now() + 5s;
  ASSERT_TRUE(store->finish_outbox_attempt("a1", "w", failed));

  EXPECT_TRUE(store->lease_outbox("w", clock_->now(), 30s, 10)->empty());
  clock_->advance(5s);
  auto again = store->lease_outbox("w", clock_->now(), 30s, 10);
  ASSERT_TRUE(again);
  ASSERT_EQ(ids_of(*again), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(again->front().attempts, 1);
  EXPECT_EQ(again->front().attempt_log[0]["error"], "the receiver answered 503");
}

TEST_P(OutboxTest, AnExpiredLeaseFreesTheEventAndItsFormerHolderCannotFinishIt) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("a1", "A")}));
  ASSERT_EQ(store->lease_outbox("dead-worker", clock_->now(), 30s, 10)->size(), 1u);
  clock_->advance(29s);
  EXPECT_TRUE(store->lease_outbox("w2", clock_->now(), 30s, 10)->empty());
  clock_->advance(1s);
  ASSERT_EQ(store->lease_outbox("w2", clock_->now(), 30s, 10)->size(), 1u);
  auto late = store->finish_outbox_attempt("a1", "dead-worker", delivered(clock_->now()));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::conflict);
  EXPECT_TRUE(store->finish_outbox_attempt("a1", "w2", delivered(clock_->now())));
  EXPECT_EQ(store->finish_outbox_attempt("nope", "w2", delivered(clock_->now())).error().code,
            Errc::not_found);
}

TEST_P(OutboxTest, ADeadEventNoLongerHoldsUpItsConnectionAndCanBeReplayed) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("a1", "A"), event("a2", "A")}));
  ASSERT_EQ(store->lease_outbox("w", clock_->now(), 30s, 10)->size(), 1u);
  OutboxAttempt refused;
  refused.at = clock_->now();
  refused.status = 400;
  refused.error = "the receiver answered 400";
  refused.next_state = OutboxState::dead;
  ASSERT_TRUE(store->finish_outbox_attempt("a1", "w", refused));
  auto next = store->lease_outbox("w", clock_->now(), 30s, 10);
  ASSERT_TRUE(next);
  EXPECT_EQ(ids_of(*next), (std::vector<std::string>{"a2"}));
  ASSERT_TRUE(store->finish_outbox_attempt("a2", "w", delivered(clock_->now())));

  clock_->advance(1min);
  auto replayed = store->replay_outbox_event("a1", clock_->now());
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(replayed->state, OutboxState::pending);
  EXPECT_EQ(replayed->attempts, 1);
  EXPECT_EQ(store->replay_outbox_event("a1", clock_->now()).error().code, Errc::conflict);
  EXPECT_EQ(store->replay_outbox_event("unknown", clock_->now()).error().code, Errc::not_found);
  auto again = store->lease_outbox("w", clock_->now(), 30s, 10);
  ASSERT_TRUE(again);
  EXPECT_EQ(ids_of(*again), (std::vector<std::string>{"a1"}));
  // A delivered event can be sent again too.
  EXPECT_TRUE(store->replay_outbox_event("a2", clock_->now()));
}

TEST_P(OutboxTest, AnUnroutableDeliveryIsKeptListedNeverLeasedNorReplayedAndPrunedWithAge) {
  auto store = open("o.db");
  OutboxEvent kept = event("u1", "");
  kept.type = "webhook.unroutable";
  kept.state = OutboxState::unroutable;
  ASSERT_TRUE(store->append_outbox({kept, event("a1", "A")}));
  // Only a pending or unroutable row may be written, and only an unroutable one without a
  // connection.
  OutboxEvent connectionless = event("p1", "");
  EXPECT_EQ(store->append_outbox({connectionless}).error().code, Errc::invalid_argument);
  OutboxEvent finished = event("d1", "A");
  finished.state = OutboxState::dead;
  EXPECT_EQ(store->append_outbox({finished}).error().code, Errc::invalid_argument);

  auto leased = store->lease_outbox("w", clock_->now(), 30s, 10);
  ASSERT_TRUE(leased);
  EXPECT_EQ(ids_of(*leased), (std::vector<std::string>{"a1"}));
  OutboxFilter filter;
  filter.state = OutboxState::unroutable;
  auto listed = store->list_outbox(filter);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, "u1");
  EXPECT_EQ(listed->front().key.connection_id, "");
  EXPECT_EQ(listed->front().state, OutboxState::unroutable);
  EXPECT_EQ(store->replay_outbox_event("u1", clock_->now()).error().code, Errc::conflict);

  clock_->advance(48h);
  auto pruned = store->prune_outbox(clock_->now() - 24h, 100);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1u);
  EXPECT_EQ(all_ids(*store), (std::vector<std::string>{"a1"}));
}

TEST_P(OutboxTest, PruningRemovesOnlyOldFinishedEvents) {
  auto store = open("o.db");
  ASSERT_TRUE(store->append_outbox({event("old-done", "A"), event("old-waiting", "B")}));
  ASSERT_EQ(store->lease_outbox("w", clock_->now(), 30s, 1)->size(), 1u);
  ASSERT_TRUE(store->finish_outbox_attempt("old-done", "w", delivered(clock_->now())));
  clock_->advance(48h);
  ASSERT_TRUE(store->append_outbox({event("new", "C")}));
  ASSERT_TRUE(store->lease_outbox("w", clock_->now(), 30s, 10));
  auto pruned = store->prune_outbox(clock_->now() - 24h, 100);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1u);
  EXPECT_EQ(all_ids(*store), (std::vector<std::string>{"new", "old-waiting"}));
}

TEST_P(OutboxTest, ConnectionsAreFoundByWhenTheirTokensWereIssued) {
  auto store = open("o.db");
  Connection imported = make_connection("jira", "imported");  // created now, no token time
  ASSERT_TRUE(store->create_connection(imported));
  Connection renewed = make_connection("jira", "renewed");
  renewed.tokens_issued_at = clock_->now() - 80 * 24h;
  renewed.grant_started_at = clock_->now() - 300 * 24h;
  ASSERT_TRUE(store->create_connection(renewed));

  ConnectionFilter filter;
  filter.tokens_issued_before = clock_->now() - 60 * 24h;
  auto idle = store->list_connections(filter);
  ASSERT_TRUE(idle) << idle.error().message;
  ASSERT_EQ(idle->size(), 1u);
  EXPECT_EQ(idle->front().connection_id, "renewed");
  EXPECT_EQ(idle->front().grant_started_at, clock_->now() - 300 * 24h);

  ConnectionUpdate update;
  update.tokens_issued_at = clock_->now();
  ASSERT_TRUE(store->update_connection({"jira", "renewed"}, update));
  EXPECT_TRUE(store->list_connections(filter)->empty());
  clock_->advance(61 * 24h);
  EXPECT_EQ(store->list_connections(filter)->size(), 0u);  // the filter's time is fixed
  filter.tokens_issued_before = clock_->now() - 60 * 24h;
  EXPECT_EQ(store->list_connections(filter)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, testing::kAllBackends, testing::backend_name);

// Two instances on one PostgreSQL database, leasing as fast as they can: every event is
// leased exactly once, and per connection in order.
class PostgresOutboxTest : public testing::StoreFixture {
 protected:
  testing::Backend backend() const override { return testing::Backend::postgres; }
};

TEST_F(PostgresOutboxTest, TwoInstancesNeverLeaseTheSameEvent) {
  auto first = open("shared");
  auto second = open("shared");
  ASSERT_TRUE(first && second);
  std::vector<OutboxEvent> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(event("e" + std::to_string(i), "conn-" + std::to_string(i % 7)));
  }
  ASSERT_TRUE(first->append_outbox(events));

  // (order, event): an event's successor is leased only after it finished, so the order of
  // each connection's events must follow their seq.
  std::atomic<int> finished{0};
  using Sent = std::vector<std::pair<int, OutboxEvent>>;
  auto drain = [&](Store& store, const std::string& worker, Sent& sent) {
    for (int idle = 0; idle < 50;) {
      auto leased = store.lease_outbox(worker, clock_->now(), 60s, 5);
      ASSERT_TRUE(leased) << leased.error().message;
      if (leased->empty()) {
        ++idle;
        std::this_thread::sleep_for(2ms);
        continue;
      }
      idle = 0;
      for (const auto& e : *leased) {
        // Numbered before the finish commits: a successor is leased only after that commit,
        // so it always gets a larger number.
        const int order = finished++;
        ASSERT_TRUE(store.finish_outbox_attempt(e.id, worker, delivered(clock_->now())));
        sent.emplace_back(order, e);
      }
    }
  };
  Sent by_first, by_second;
  std::thread a([&] { drain(*first, "instance-a", by_first); });
  std::thread b([&] { drain(*second, "instance-b", by_second); });
  a.join();
  b.join();

  Sent all = by_first;
  all.insert(all.end(), by_second.begin(), by_second.end());
  std::set<std::string> unique;
  for (const auto& [order, e] : all) unique.insert(e.id);
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(unique.size(), 200u);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::map<std::string, std::int64_t> last_seq;
  for (const auto& [order, e] : all) {
    EXPECT_GT(e.seq, last_seq[e.key.connection_id]) << e.id;
    last_seq[e.key.connection_id] = e.seq;
  }
}

}  // namespace
}  // namespace ferry::store
