#include <gtest/gtest.h>

#include <chrono>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::StoreTest;

class OAuthStateTest : public StoreTest {};
class ActivityTest : public StoreTest {};

OAuthSession make_session(const std::string& state, TimePoint expires_at) {
  OAuthSession s;
  s.state = state;
  s.provider_config_key = "jira";
  s.connection_id = "user-1";
  s.code_verifier = "verifier";
  s.ws_client_id = "ws-1";
  s.redirect_uri = "http://localhost:3003/oauth/callback";
  s.params = {{"subdomain", "acme"}};
  s.expires_at = expires_at;
  return s;
}

TEST_P(OAuthStateTest, TakeReturnsTheSessionOnceAndOnlyOnce) {
  auto store = open("o.db");
  ASSERT_TRUE(store->save_oauth_state(make_session("s1", clock_->now() + minutes(10)), {}));
  auto taken = store->take_oauth_state("s1");
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->provider_config_key, "jira");
  EXPECT_EQ(taken->connection_id, "user-1");
  EXPECT_EQ(taken->code_verifier, "verifier");
  EXPECT_EQ(taken->ws_client_id, "ws-1");
  EXPECT_EQ(taken->redirect_uri, "http://localhost:3003/oauth/callback");
  EXPECT_EQ(taken->params["subdomain"], "acme");
  EXPECT_EQ(taken->expires_at, clock_->now() + minutes(10));

  auto replay = store->take_oauth_state("s1");
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, Errc::not_found);
}

TEST_P(OAuthStateTest, UnknownStateIsNotFound) {
  auto store = open("o.db");
  EXPECT_EQ(store->take_oauth_state("never-saved").error().code, Errc::not_found);
}

TEST_P(OAuthStateTest, ExpiredStateIsRejectedAndRemoved) {
  auto store = open("o.db");
  ASSERT_TRUE(store->save_oauth_state(make_session("s1", clock_->now() + minutes(10)), {}));
  clock_->advance(minutes(10));
  auto expired = store->take_oauth_state("s1");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::invalid_argument);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(store->take_oauth_state("s1").error().code, Errc::not_found);
}

TEST_P(OAuthStateTest, DuplicateAndEmptyStatesAreRejected) {
  auto store = open("o.db");
  ASSERT_TRUE(store->save_oauth_state(make_session("s1", clock_->now() + minutes(10)), {}));
  EXPECT_EQ(store->save_oauth_state(make_session("s1", clock_->now()), {}).error().code,
            Errc::conflict);
  EXPECT_EQ(store->save_oauth_state(make_session("", clock_->now()), {}).error().code,
            Errc::invalid_argument);
}

TEST_P(OAuthStateTest, SavingSweepsSessionsExpiredForMoreThanADay) {
  auto store = open("o.db");
  ASSERT_TRUE(
      store->save_oauth_state(make_session("old", clock_->now() - std::chrono::hours(25)), {}));
  ASSERT_TRUE(store->save_oauth_state(make_session("recent", clock_->now() - minutes(1)), {}));
  ASSERT_TRUE(store->save_oauth_state(make_session("new", clock_->now() + minutes(10)), {}));
  EXPECT_EQ(store->take_oauth_state("old").error().code, Errc::not_found);
  EXPECT_EQ(store->take_oauth_state("recent").error().code, Errc::invalid_argument);
  EXPECT_TRUE(store->take_oauth_state("new"));
}

ActivityEntry entry(const std::string& connection_id, const std::string& key, int status,
                    TimePoint at = {}) {
  ActivityEntry e;
  e.timestamp = at;
  e.level = status >= 400 ? "error" : "info";
  e.type = "proxy";
  e.provider_config_key = key;
  e.connection_id = connection_id;
  e.method = "GET";
  e.url = "https://api.atlassian.com/ex/jira/c/rest/api/3/myself";
  e.status = status;
  e.duration_ms = 12;
  e.bytes_in = 100;
  e.bytes_out = 2048;
  e.attempts = 2;
  e.message = "GET /myself -> " + std::to_string(status);
  e.details = {{"retries", json::array({"429"})}};
  return e;
}

std::vector<int> statuses(const std::vector<ActivityEntry>& entries) {
  std::vector<int> out;
  for (const auto& e : entries) out.push_back(e.status);
  return out;
}

TEST_P(ActivityTest, AppendedEntriesComeBackNewestFirstWithEveryField) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry("u1", "jira", 200), entry("u1", "jira", 201)}));
  clock_->advance(seconds(1));
  ASSERT_TRUE(store->append_activity({entry("u1", "jira", 429)}));
  auto listed = store->list_activity({});
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(statuses(*listed), (std::vector<int>{429, 201, 200}));
  const ActivityEntry& newest = (*listed)[0];
  EXPECT_GT(newest.id, (*listed)[1].id);
  EXPECT_EQ(newest.timestamp, clock_->now());  // filled in
  EXPECT_EQ(newest.level, "error");
  EXPECT_EQ(newest.type, "proxy");
  EXPECT_EQ(newest.method, "GET");
  EXPECT_EQ(newest.url, "https://api.atlassian.com/ex/jira/c/rest/api/3/myself");
  EXPECT_EQ(newest.duration_ms, 12);
  EXPECT_EQ(newest.bytes_in, 100);
  EXPECT_EQ(newest.bytes_out, 2048);
  EXPECT_EQ(newest.attempts, 2);
  EXPECT_EQ(newest.message, "GET /myself -> 429");
  EXPECT_EQ(newest.details["retries"][0], "429");
}

ActivityFilter filter(std::optional<std::string> connection_id,
                      std::optional<std::string> provider_config_key, std::size_t limit) {
  ActivityFilter f;
  f.connection_id = std::move(connection_id);
  f.provider_config_key = std::move(provider_config_key);
  f.limit = limit;
  return f;
}

TEST_P(ActivityTest, ListFiltersByConnectionAndIntegrationAndLimits) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry("u1", "jira", 200), entry("u2", "jira", 201),
                                      entry("u1", "slack", 202), entry("u1", "jira", 203)}));
  struct Case {
    ActivityFilter filter;
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {filter("u1", std::nullopt, 100), {203, 202, 200}},
      {filter(std::nullopt, "jira", 100), {203, 201, 200}},
      {filter("u1", "jira", 100), {203, 200}},
      {filter(std::nullopt, std::nullopt, 2), {203, 202}},
      {filter(std::nullopt, std::nullopt, 0), {203, 202, 201, 200}},
      {filter("nobody", std::nullopt, 100), {}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto listed = store->list_activity(cases[i].filter);
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(statuses(*listed), cases[i].expected) << "case " << i;
  }
}

TEST_P(ActivityTest, PruneDropsEntriesPastMaxAgeThenBeyondMaxRows) {
  auto store = open("a.db");
  const TimePoint now = clock_->now();
  ASSERT_TRUE(store->append_activity({
      entry("u1", "jira", 1, now - std::chrono::hours(48)),
      entry("u1", "jira", 2, now - std::chrono::hours(2)),
      entry("u1", "jira", 3, now - minutes(30)),
      entry("u1", "jira", 4, now - minutes(20)),
      entry("u1", "jira", 5, now - minutes(10)),
  }));
  constexpr std::size_t kAll = 1000;
  EXPECT_EQ(store->prune_activity(0, std::chrono::hours(24), kAll).value(), 1u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{5, 4, 3, 2}));
  EXPECT_EQ(store->prune_activity(3, seconds(0), kAll).value(), 1u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{5, 4, 3}));
  EXPECT_EQ(store->prune_activity(10, std::chrono::hours(1), kAll).value(), 0u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{5, 4, 3}));
  EXPECT_EQ(store->prune_activity(1, std::chrono::hours(1), kAll).value(), 2u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{5}));
}

TEST_P(ActivityTest, PruneDeletesAtMostItsLimitPerRoundOldestFirst) {
  auto store = open("a.db");
  const TimePoint now = clock_->now();
  std::vector<ActivityEntry> entries;
  for (int i = 0; i < 25; ++i) {
    entries.push_back(entry("u1", "jira", i, now - std::chrono::hours(100 - i)));
  }
  for (int i = 25; i < 30; ++i) entries.push_back(entry("u1", "jira", i, now - minutes(30 - i)));
  ASSERT_TRUE(store->append_activity(entries));

  // 25 entries are past 24 hours: rounds of 10 take 10, 10, then the last 5.
  EXPECT_EQ(store->prune_activity(0, std::chrono::hours(24), 10).value(), 10u);
  auto left = statuses(*store->list_activity({}));
  ASSERT_EQ(left.size(), 20u);
  EXPECT_EQ(left.back(), 10) << "the oldest go first";
  EXPECT_EQ(store->prune_activity(0, std::chrono::hours(24), 10).value(), 10u);
  EXPECT_EQ(store->prune_activity(0, std::chrono::hours(24), 10).value(), 5u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{29, 28, 27, 26, 25}));

  // The row bound in rounds too, after the age bound within the same round's budget.
  EXPECT_EQ(store->prune_activity(2, std::chrono::hours(24), 2).value(), 2u);
  EXPECT_EQ(store->prune_activity(2, std::chrono::hours(24), 2).value(), 1u);
  EXPECT_EQ(statuses(*store->list_activity({})), (std::vector<int>{29, 28}));
  EXPECT_EQ(store->prune_activity(2, std::chrono::hours(24), 0).value(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OAuthStateTest, testing::kAllBackends, testing::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ActivityTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ferry::store
