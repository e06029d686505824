#include <gtest/gtest.h>

#include <chrono>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using testing::StoreTest;

using ConnectSessionTest = StoreTest;

ConnectSession make_session(const std::string& hash, TimePoint expires_at) {
  ConnectSession s;
  s.token_hash = hash;
  s.allowed_integrations = {"jira", "slack"};
  s.request = {{"end_user", {{"id", "end-user-1"}, {"email", "a@example.com"}}},
               {"tags", {{"team", "blue"}}}};
  s.expires_at = expires_at;
  return s;
}

TEST_F(ConnectSessionTest, SavedSessionIsFoundAgainAndAgainUntilItExpires) {
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

TEST_F(ConnectSessionTest, UnknownDuplicateAndEmptyHashesAreRejected) {
  auto store = open("c.db");
  EXPECT_EQ(store->find_connect_session("nope").error().code, Errc::not_found);
  ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  EXPECT_EQ(store->save_connect_session(make_session("h1", clock_->now())).error().code,
            Errc::conflict);
  EXPECT_EQ(store->save_connect_session(make_session("", clock_->now())).error().code,
            Errc::invalid_argument);
}

TEST_F(ConnectSessionTest, SessionsSurviveReopeningTheDatabase) {
  {
    auto store = open("c.db");
    ASSERT_TRUE(store->save_connect_session(make_session("h1", clock_->now() + minutes(30))));
  }
  auto reopened = open("c.db");
  EXPECT_TRUE(reopened->find_connect_session("h1"));
}

TEST_F(ConnectSessionTest, SavingSweepsSessionsExpiredForMoreThanADay) {
  auto store = open("c.db");
  ASSERT_TRUE(store->save_connect_session(make_session("old", clock_->now() - hours(25))));
  ASSERT_TRUE(store->save_connect_session(make_session("recent", clock_->now() - minutes(1))));
  ASSERT_TRUE(store->save_connect_session(make_session("new", clock_->now() + minutes(30))));
  EXPECT_EQ(store->find_connect_session("old").error().code, Errc::not_found);
  EXPECT_EQ(store->find_connect_session("recent").error().code, Errc::invalid_argument);
  EXPECT_TRUE(store->find_connect_session("new"));
}

TEST_F(ConnectSessionTest, AnEmptyAllowListMeansEveryIntegration) {
  auto store = open("c.db");
  ConnectSession s = make_session("h1", clock_->now() + minutes(30));
  s.allowed_integrations.clear();
  ASSERT_TRUE(store->save_connect_session(s));
  auto found = store->find_connect_session("h1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->allowed_integrations.empty());
}

}  // namespace
}  // namespace ferry::store
