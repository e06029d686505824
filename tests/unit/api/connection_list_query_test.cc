#include "ferry/api/connection_list_query.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::api {
namespace {

using Query = std::multimap<std::string, std::string>;
using nlohmann::json;

TEST(ConnectionListQuery, ReadsEveryParameterTheSdkSends) {
  auto filter = parse_connection_list_query(Query{{"connectionId", "c-1"},
                                                  {"endUserId", "u-1"},
                                                  {"endUserOrganizationId", "org-1"},
                                                  {"search", "Ada"},
                                                  {"integrationId", "jira, slack"},
                                                  {"tags[end_user_email]", "a@example.com"},
                                                  {"tags[plan]", "pro"},
                                                  {"limit", "20"},
                                                  {"page", "3"}});
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->connection_id, "c-1");
  EXPECT_EQ(filter->end_user_id, "u-1");
  EXPECT_EQ(filter->end_user_organization_id, "org-1");
  EXPECT_EQ(filter->search, "Ada");
  EXPECT_EQ(filter->provider_config_keys, (std::vector<std::string>{"jira", "slack"}));
  EXPECT_EQ(filter->tags, (json{{"end_user_email", "a@example.com"}, {"plan", "pro"}}));
  EXPECT_EQ(filter->limit, 20u);
  EXPECT_EQ(filter->offset, 60u);
}

TEST(ConnectionListQuery, NothingMeansTheFirstHundredOfEveryConnection) {
  auto filter = parse_connection_list_query({});
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_FALSE(filter->connection_id || filter->end_user_id || filter->search ||
               filter->end_user_organization_id);
  EXPECT_TRUE(filter->provider_config_keys.empty());
  EXPECT_TRUE(filter->tags.empty());
  EXPECT_EQ(filter->limit, 100u);
  EXPECT_EQ(filter->offset, 0u);
}

TEST(ConnectionListQuery, UserIdIsEndUserIdByAnotherName) {
  auto filter = parse_connection_list_query(Query{{"userId", "u-2"}});
  ASSERT_TRUE(filter);
  EXPECT_EQ(filter->end_user_id, "u-2");
  filter = parse_connection_list_query(Query{{"userId", "u-2"}, {"endUserId", "u-2"}});
  ASSERT_TRUE(filter);
  EXPECT_EQ(filter->end_user_id, "u-2");
}

// A filter the server would not apply hands one end user's connections to another: every
// doubtful query is refused, naming what is wrong.
TEST(ConnectionListQuery, RefusesWhatItCannotApply) {
  const std::vector<std::pair<Query, std::string>> cases = {
      {{{"endUser", "u-1"}}, "unknown query parameter \"endUser\""},
      {{{"tags", "plan"}}, "unknown query parameter \"tags\""},
      {{{"tags[]", "x"}}, "unknown query parameter \"tags[]\""},
      {{{"endUserId", "u-1"}, {"endUserId", "u-2"}}, "endUserId is given more than once"},
      {{{"endUserId", "u-1"}, {"userId", "u-2"}}, "name different end users"},
      {{{"endUserId", ""}}, "endUserId must not be empty"},
      {{{"search", std::string(256, 'a')}}, "search is longer than 255 characters"},
      {{{"search", "a\nb"}}, "search must not contain control characters"},
      {{{"tags[plan]", "a"}, {"tags[plan]", "b"}}, "tags[plan] is given more than once"},
      {{{"tags[plan]", ""}}, "tags[plan] must not be empty"},
      {{{"integrationId", "jira,,slack"}}, "integrationId has an empty entry"},
      {{{"limit", "0"}}, "limit must be an integer from 1 to 10000"},
      {{{"limit", "10001"}}, "limit must be an integer from 1 to 10000"},
      {{{"limit", "-1"}}, "limit must be an integer"},
      {{{"page", "x"}}, "page must be an integer"},
      {{{"page", "99999999999999999999999"}}, "page must be an integer"},
  };
  for (const auto& [query, expected] : cases) {
    auto filter = parse_connection_list_query(query);
    ASSERT_FALSE(filter) << expected;
    EXPECT_EQ(filter.error().code, Errc::invalid_argument);
    EXPECT_NE(filter.error().message.find(expected), std::string::npos)
        << "expected: " << expected << "\nmessage:  " << filter.error().message;
  }
}

TEST(ConnectionListQuery, AtMostSixtyFourTags) {
  Query query;
  for (int i = 0; i < 65; ++i) query.emplace("tags[t" + std::to_string(i) + "]", "v");
  auto filter = parse_connection_list_query(query);
  ASSERT_FALSE(filter);
  EXPECT_NE(filter.error().message.find("at most 64"), std::string::npos);
}

}  // namespace
}  // namespace ferry::api
