#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using testing::StoreTest;

class ConnectSessionTest : public StoreTest {};

ConnectSession make_session(const std::string& hash, TimePoint expires_at) {
  ConnectSession s;
  s.token_hash = hash;
  s.allowed_integrations = {"jira", "slack"};
  s.request = {{"end_user", {{"id", "end-user-1"}, {"email", "a@example.com"}}},
               {"tags", {{"team", "blue"}}}};
  s.expires_at = expires_at;
  return s;
}

TEST_P(ConnectSessionTest, SavedSessionIsFoundAgainAndAgainUntilItExpires) {
  auto store = open("c.db");
  ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  for (int i = 0; i < 2; ++i) {
    auto found = store->find_connect_session("h1");
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ(found->token_hash, "h1");
    EXPECT_EQ(found->allowed_integrations, (std::vector<std::string>{"jira", "slack"}));
    EXPECT_EQ(found->request["end_user"]["id"], "end-user-1");
    EXPECT_EQ(found->request["tags"]["team"], "blue");
    EXPECT_EQ(found->created_at, clock_->now());
    EXPECT_EQ(found->expires_at, clock_->now() + minutes(30));
  }
  clock_->advance(minutes(30));
  auto expired = store->find_connect_session("h1");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::invalid_argument);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST_P(ConnectSessionTest, UnknownDuplicateAndEmptyHashesAreRejected) {
  auto store = open("c.db");
  EXPECT_EQ(store->find_connect_session("nope").error().code, Errc::not_found);
  ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  EXPECT_EQ(store->save_connect_session(make_session("h1", clock_->now())).error().code,
            Errc::conflict);
  EXPECT_EQ(store->save_connect_session(make_session("", clock_->now())).error().code,
            Errc::invalid_argument);
}

TEST_P(ConnectSessionTest, SessionsSurviveReopeningTheDatabase) {
  {
    auto store = open("c.db");
    ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  }
  auto reopened = open("c.db");
  EXPECT_TRUE(reopened->find_connect_session("h1"));
}

TEST_P(ConnectSessionTest, SavingSweepsSessionsExpiredForMoreThanADay) {
  auto store = open("c.db");
  ASSERT_TRUE(store->save_connect_session(make_session("old", clock_->now() - hours(25))));
  ASSERT_TRUE(store->save_connect_session(make_session("recent", clock_->now() - minutes(1))));
  ASSERT_TRUE(store->save_connect_session(make_session("new", clock_->now() + minutes(30))));
  EXPECT_EQ(store->find_connect_session("old").error().code, Errc::not_found);
  EXPECT_EQ(store->find_connect_session("recent").error().code, Errc::invalid_argument);
  EXPECT_TRUE(store->find_connect_session("new"));
}

TEST_P(ConnectSessionTest, AnEmptyAllowListMeansEveryIntegration) {
  auto store = open("c.db");
  ConnectSession s = make_session("h1", clock_->now() + minutes(30));
  s.allowed_integrations.clear();
  ASSERT_TRUE(store->save_connect_session(s));
  auto found = store->find_connect_session("h1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->allowed_integrations.empty());
}

TEST_P(ConnectSessionTest, BindingFieldsRoundTrip) {
  auto store = open("c.db");
  ConnectSession s = make_session("h1", clock_->now() + minutes(30));
  s.allowed_integrations = {"jira"};
  s.connection_id = "user-1";
  s.is_reconnect = true;
  ASSERT_TRUE(store->save_connect_session(s));
  auto found = store->find_connect_session("h1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->connection_id, "user-1");
  EXPECT_TRUE(found->is_reconnect);
  EXPECT_FALSE(found->used_at);
}

TEST_P(ConnectSessionTest, ASessionCanBeUsedOnlyOnce) {
  auto store = open("c.db");
  ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  auto used = store->use_connect_session("h1");
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(used->used_at, clock_->now());
  EXPECT_EQ(used->request["end_user"]["id"], "end-user-1");

  auto again = store->use_connect_session("h1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_NE(again.error().message.find("already used"), std::string::npos);
  // Still readable (the connect link shows what it allowed), marked used.
  auto found = store->find_connect_session("h1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->used_at);

  EXPECT_EQ(store->use_connect_session("nope").error().code, Errc::not_found);
  ASSERT_TRUE(store->save_connect_session(make_session("h2", clock_->now() + minutes(1))));
  clock_->advance(minutes(1));
  EXPECT_EQ(store->use_connect_session("h2").error().code, Errc::invalid_argument);
}

TEST_P(ConnectSessionTest, OfConcurrentUsersOfOneSessionExactlyOneSucceeds) {
  auto store = open("c.db");
  constexpr int kUsers = 8;
  for (int round = 0; round < 5; ++round) {
    const std::string hash = "h" + std::to_string(round);
    ASSERT_TRUE(store->save_connect_session(make_session(hash, clock_->now() + minutes(30))));
    std::atomic<int> successes{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> users;
    for (int i = 0; i < kUsers; ++i) {
      users.emplace_back([&] {
        auto used = store->use_connect_session(hash);
        if (used) {
          ++successes;
        } else if (used.error().code == Errc::conflict) {
          ++conflicts;
        } else {
          ADD_FAILURE() << used.error().message;
        }
      });
    }
    for (auto& user : users) user.join();
    EXPECT_EQ(successes, 1) << "round " << round;
    EXPECT_EQ(conflicts, kUsers - 1) << "round " << round;
  }
}

OAuthSession flow(const std::string& state, const std::string& client) {
  OAuthSession s;
  s.state = state;
  s.provider_config_key = "jira";
  s.connection_id = "user-1";
  s.client_address = client;
  return s;
}

TEST_P(ConnectSessionTest, SavingAFlowUsesItsConnectSessionInTheSameTransaction) {
  auto store = open("c.db");
  ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  OAuthSession first = flow("s1", "10.0.0.1");
  first.expires_at = clock_->now() + minutes(10);
  ASSERT_TRUE(store->save_oauth_state(first, {0, "h1"}));
  EXPECT_TRUE(store->find_connect_session("h1")->used_at);

  OAuthSession second = flow("s2", "10.0.0.1");
  second.expires_at = clock_->now() + minutes(10);
  auto refused = store->save_oauth_state(second, {0, "h1"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  // Nothing of the refused flow was written.
  EXPECT_EQ(store->take_oauth_state("s2").error().code, Errc::not_found);
  EXPECT_TRUE(store->take_oauth_state("s1"));
}

TEST_P(ConnectSessionTest, PendingFlowsPerClientAreCappedUntilTakenOrExpired) {
  auto store = open("c.db");
  const StateAdmission cap{2, ""};
  for (const char* state : {"a", "b"}) {
    OAuthSession s = flow(state, "10.0.0.1");
    s.expires_at = clock_->now() + minutes(10);
    ASSERT_TRUE(store->save_oauth_state(s, cap)) << state;
  }
  OAuthSession third = flow("c", "10.0.0.1");
  third.expires_at = clock_->now() + minutes(10);
  auto refused = store->save_oauth_state(third, cap);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::too_many_requests);
  EXPECT_EQ(store->take_oauth_state("c").error().code, Errc::not_found);

  // Another client is not affected.
  OAuthSession other = flow("d", "10.0.0.2");
  other.expires_at = clock_->now() + minutes(10);
  EXPECT_TRUE(store->save_oauth_state(other, cap));

  // A finished flow frees its place...
  ASSERT_TRUE(store->take_oauth_state("a"));
  EXPECT_TRUE(store->save_oauth_state(third, cap));
  // ...and so does an expired one, without anyone taking it.
  clock_->advance(minutes(10));
  for (const char* state : {"e", "f"}) {
    OAuthSession s = flow(state, "10.0.0.1");
    s.expires_at = clock_->now() + minutes(10);
    EXPECT_TRUE(store->save_oauth_state(s, cap)) << state;
  }
}

TEST_P(ConnectSessionTest, FlowBindingFieldsRoundTrip) {
  auto store = open("c.db");
  OAuthSession s = flow("s1", "10.0.0.1");
  s.expires_at = clock_->now() + minutes(10);
  s.origin = "https://app.example.com";
  s.may_overwrite = true;
  s.end_user = {{"id", "end-user-1"}};
  s.tags = {{"team", "blue"}};
  ASSERT_TRUE(store->save_oauth_state(s, {}));
  auto taken = store->take_oauth_state("s1");
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->client_address, "10.0.0.1");
  EXPECT_EQ(taken->origin, "https://app.example.com");
  EXPECT_TRUE(taken->may_overwrite);
  EXPECT_EQ(taken->end_user, s.end_user);
  EXPECT_EQ(taken->tags, s.tags);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectSessionTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ferry::store
