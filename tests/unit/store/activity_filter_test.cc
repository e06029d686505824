// list_activity's filters (status class, type, time range, search, tail cursor, id), on
// every backend.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using std::chrono::hours;
using testing::StoreTest;

class ActivityFilterTest : public StoreTest {};

ActivityEntry entry(int status, std::string type = "proxy", std::string url = "https://x.test/a",
                    TimePoint at = {}) {
  ActivityEntry e;
  e.timestamp = at;
  e.type = std::move(type);
  e.provider_config_key = "jira";
  e.connection_id = "u1";
  e.method = "GET";
  e.url = std::move(url);
  e.status = status;
  e.message = "call " + std::to_string(status);
  return e;
}

std::vector<int> statuses(const Result<std::vector<ActivityEntry>>& listed) {
  std::vector<int> out;
  if (!listed) {
    ADD_FAILURE() << listed.error().message;
    return out;
  }
  for (const auto& e : *listed) out.push_back(e.status);
  return out;
}

ActivityFilter with_classes(std::initializer_list<int> digits) {
  ActivityFilter f;
  for (int d : digits) f.status_classes |= status_class_bit(d);
  return f;
}

TEST_P(ActivityFilterTest, StatusClassesAndErrorsForEntriesWithoutStatus) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry(0), entry(101), entry(200), entry(302), entry(404),
                                      entry(429), entry(503), entry(600), entry(99)}));
  struct Case {
    ActivityFilter filter;
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {with_classes({2}), {200}},
      {with_classes({4, 5}), {503, 429, 404}},
      {with_classes({0}), {0}},
      {with_classes({0, 5}), {503, 0}},
      {with_classes({1, 3}), {302, 101}},
      {with_classes({}), {99, 600, 503, 429, 404, 302, 200, 101, 0}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(statuses(store->list_activity(cases[i].filter)), cases[i].expected) << "case " << i;
  }
}

TEST_P(ActivityFilterTest, TypeMatchesExactly) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity(
      {entry(1, "proxy"), entry(2, "auth"), entry(3, "refresh"), entry(4, "proxy")}));
  ActivityFilter f;
  f.type = "proxy";
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{4, 1}));
  f.type = "PROXY";
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{});
  f.type = "auth";
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{2});
}

TEST_P(ActivityFilterTest, FromIsInclusiveAndToExclusive) {
  auto store = open("a.db");
  const TimePoint now = clock_->now();
  ASSERT_TRUE(store->append_activity({entry(1, "proxy", "u", now - hours(3)),
                                      entry(2, "proxy", "u", now - hours(2)),
                                      entry(3, "proxy", "u", now - hours(1)),
                                      entry(4, "proxy", "u", now)}));
  ActivityFilter f;
  f.from = now - hours(2);
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{4, 3, 2}));
  f.to = now - hours(1);
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{2});
  f.from.reset();
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{2, 1}));
  f.from = now + hours(1);
  f.to.reset();
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{});
}

TEST_P(ActivityFilterTest, SearchIsACaseInsensitiveSubstringOfUrlMessageMethodConnection) {
  auto store = open("a.db");
  ActivityEntry by_method = entry(1);
  by_method.method = "PATCH";
  ActivityEntry by_message = entry(2);
  by_message.message = "Token Refreshed";
  ActivityEntry by_connection = entry(3);
  by_connection.connection_id = "Acme-User";
  ActivityEntry by_url = entry(4, "proxy", "https://API.example.test/Issues?q=1");
  ActivityEntry by_details = entry(5);
  by_details.details = {{"note", "needle"}};
  ASSERT_TRUE(
      store->append_activity({by_method, by_message, by_connection, by_url, by_details}));
  struct Case {
    std::string search;
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {"patch", {1}},       {"refreshed", {2}}, {"TOKEN refr", {2}}, {"acme-user", {3}},
      {"api.EXAMPLE", {4}}, {"needle", {}},     {"x.test", {5, 3, 2, 1}},
  };
  for (const Case& c : cases) {
    ActivityFilter f;
    f.search = c.search;
    EXPECT_EQ(statuses(store->list_activity(f)), c.expected) << c.search;
  }
}

TEST_P(ActivityFilterTest, SearchTakesPercentUnderscoreAndBackslashLiterally) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({
      entry(1, "proxy", "https://x.test/100%25"), entry(2, "proxy", "https://x.test/100x25"),
      entry(3, "proxy", "https://x.test/a_b"),    entry(4, "proxy", "https://x.test/aXb"),
      entry(5, "proxy", "https://x.test/c\\d"),   entry(6, "proxy", "https://x.test/cd"),
      entry(7, "proxy", "https://x.test/%"),
  }));
  struct Case {
    std::string search;
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {"%", {7, 1}},     {"100%25", {1}}, {"_", {3}},      {"a_b", {3}},
      {"\\", {5}},       {"c\\d", {5}},   {"%%", {}},      {"\\%", {}},
      {"a%b", {}},       {"c_d", {}},     {"[a]", {}},     {"*", {}},
  };
  for (const Case& c : cases) {
    ActivityFilter f;
    f.search = c.search;
    EXPECT_EQ(statuses(store->list_activity(f)), c.expected) << c.search;
  }
}

TEST_P(ActivityFilterTest, StrangeValuesMatchNothingAndFailNothing) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry(1), entry(2)}));
  const std::vector<std::string> values = {
      std::string(200, 'z'),
      std::string("a\0b", 3),
      "\xff\xfe\x80",
      "'; DROP TABLE activity; --",
      "\" OR 1=1 --",
      "?1",
      "$1",
  };
  for (const std::string& value : values) {
    ActivityFilter search;
    search.search = value;
    EXPECT_EQ(statuses(store->list_activity(search)), std::vector<int>{}) << value;
    ActivityFilter exact;
    exact.type = value;
    exact.connection_id = value;
    exact.provider_config_key = value;
    EXPECT_EQ(statuses(store->list_activity(exact)), std::vector<int>{}) << value;
  }
  EXPECT_EQ(statuses(store->list_activity({})), (std::vector<int>{2, 1}));
}

TEST_P(ActivityFilterTest, AfterIdTailsNewestFirstWithinTheLimit) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry(1), entry(2), entry(3), entry(4), entry(5)}));
  auto all = store->list_activity({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  const std::int64_t second_id = (*all)[3].id;
  ActivityFilter f;
  f.after_id = second_id;
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{5, 4, 3}));
  f.limit = 2;
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{5, 4}));
  f.after_id = (*all)[0].id;
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{});
  f.after_id = 0;
  f.limit = 0;
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{5, 4, 3, 2, 1}));
}

TEST_P(ActivityFilterTest, IdFindsOneEntry) {
  auto store = open("a.db");
  ASSERT_TRUE(store->append_activity({entry(1), entry(2)}));
  auto all = store->list_activity({});
  ASSERT_TRUE(all);
  ActivityFilter f;
  f.id = (*all)[1].id;
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{1});
  f.id = (*all)[0].id + 1000;
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{});
}

TEST_P(ActivityFilterTest, EveryFilterAppliesAtOnce) {
  auto store = open("a.db");
  const TimePoint now = clock_->now();
  auto make = [&](int status, std::string type, std::string connection, TimePoint at,
                  std::string url) {
    ActivityEntry e = entry(status, std::move(type), std::move(url), at);
    e.connection_id = std::move(connection);
    return e;
  };
  ASSERT_TRUE(store->append_activity({
      make(500, "proxy", "u1", now - hours(5), "https://x.test/issues"),  // before cursor
      make(501, "proxy", "u1", now - hours(3), "https://x.test/issues"),  // match
      make(502, "auth", "u1", now - hours(3), "https://x.test/issues"),   // type
      make(200, "proxy", "u1", now - hours(3), "https://x.test/issues"),  // status
      make(503, "proxy", "u2", now - hours(3), "https://x.test/issues"),  // connection
      make(504, "proxy", "u1", now - hours(3), "https://x.test/users"),   // search
      make(505, "proxy", "u1", now - hours(9), "https://x.test/issues"),  // before from
      make(506, "proxy", "u1", now, "https://x.test/issues"),             // at to
      make(0, "proxy", "u1", now - hours(2), "https://x.test/Issues/1"),  // match
      make(507, "proxy", "u1", now - hours(1), "https://x.test/issues"),  // match
  }));
  auto all = store->list_activity({});
  ASSERT_TRUE(all);
  std::int64_t first_id = 0;
  for (const auto& e : *all) {
    if (e.status == 500) first_id = e.id;
  }
  ActivityFilter f = with_classes({0, 5});
  f.type = "proxy";
  f.connection_id = "u1";
  f.provider_config_key = "jira";
  f.search = "ISSUES";
  f.from = now - hours(8);
  f.to = now;
  f.after_id = first_id;
  EXPECT_EQ(statuses(store->list_activity(f)), (std::vector<int>{507, 0, 501}));
  f.limit = 1;
  EXPECT_EQ(statuses(store->list_activity(f)), std::vector<int>{507});
}

INSTANTIATE_TEST_SUITE_P(Backends, ActivityFilterTest, testing::kAllBackends,
                         testing::backend_name);

}  // namespace
}  // namespace ferry::store
