#include "ferry/api/log_query.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ferry/core/clock.h"

namespace ferry::api {
namespace {

using Query = std::multimap<std::string, std::string>;

TEST(LogQuery, NoParametersListTheNewestHundred) {
  auto filter = parse_log_filter({});
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->limit, 100u);
  EXPECT_EQ(filter->status_classes, 0u);
  EXPECT_FALSE(filter->connection_id || filter->provider_config_key || filter->type ||
               filter->from || filter->to || filter->search || filter->after_id || filter->id);
}

TEST(LogQuery, ReadsEveryFilter) {
  const Query query = {{"connection_id", "u1"},
                       {"integration", "jira"},
                       {"type", "proxy"},
                       {"status", "4xx,5XX"},
                       {"status", "error"},
                       {"from", "2026-11-29T20:00:00Z"},
                       {"to", "2026-11-29T21:00:00.500+01:00"},
                       {"search", "100%_\\"},
                       {"after_id", "42"},
                       {"limit", "7"},
                       {"unknown", "ignored"}};
  auto filter = parse_log_filter(query);
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->connection_id, "u1");
  EXPECT_EQ(filter->provider_config_key, "jira");
  EXPECT_EQ(filter->type, "proxy");
  EXPECT_EQ(filter->status_classes, store::status_class_bit(0) | store::status_class_bit(4) |
                                        store::status_class_bit(5));
  EXPECT_EQ(filter->from, *parse_iso8601("2026-11-29T20:00:00Z"));
  EXPECT_EQ(filter->to, *parse_iso8601("2026-11-29T20:00:00.500Z"));
  EXPECT_EQ(filter->search, "100%_\\");
  EXPECT_EQ(filter->after_id, 42);
  EXPECT_EQ(filter->limit, 7u);
}

TEST(LogQuery, EmptyValuesAreAbsentAndLimitIsCapped) {
  const Query query = {{"type", ""}, {"status", ""}, {"search", ""}, {"from", ""},
                       {"after_id", ""}, {"limit", "1000000"}};
  auto filter = parse_log_filter(query);
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_FALSE(filter->type || filter->search || filter->from || filter->after_id);
  EXPECT_EQ(filter->status_classes, 0u);
  EXPECT_EQ(filter->limit, kMaxLogLimit);
  EXPECT_EQ(parse_log_filter({{"limit", "0"}})->limit, kMaxLogLimit);
}

TEST(LogQuery, SearchUpToTheCapIsKept) {
  const std::string longest(kMaxLogSearchBytes, 'a');
  auto filter = parse_log_filter({{"search", longest}});
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->search, longest);
}

TEST(LogQuery, EveryMalformedValueIsNamed) {
  struct Case {
    Query query;
    std::string says;
  };
  const Case cases[] = {
      {{{"status", "6xx"}}, "query parameter status: \"6xx\" is not a status class"},
      {{{"status", "4xx,"}}, "query parameter status: \"\" is not a status class"},
      {{{"status", "4xx, 5xx"}}, "\" 5xx\" is not a status class (expected 1xx to 5xx or error)"},
      {{{"status", "404"}}, "\"404\" is not a status class"},
      {{{"status", "ERROR"}}, "\"ERROR\" is not a status class"},
      {{{"status", "2xx"}, {"status", "4x"}}, "\"4x\" is not a status class"},
      {{{"status", std::string(5000, '4')}}, "\"" + std::string(32, '4') + "...\" is not"},
      {{{"from", "yesterday"}}, "query parameter from must be an ISO 8601 date-time"},
      {{{"to", "2026-13-01T00:00:00Z"}}, "query parameter to must be an ISO 8601 date-time"},
      {{{"from", "2026-11-29T20:00:00Z"}, {"to", "2026-11-29T20:00:00Z"}},
       "query parameter from must be earlier than to"},
      {{{"search", std::string(kMaxLogSearchBytes + 1, 'a')}},
       "query parameter search must be at most 200 bytes"},
      {{{"type", std::string(kMaxLogTypeBytes + 1, 't')}},
       "query parameter type must be at most 64 bytes"},
      {{{"after_id", "-1"}}, "query parameter after_id must be a non-negative integer"},
      {{{"after_id", "1e3"}}, "query parameter after_id must be a non-negative integer"},
      {{{"after_id", "99999999999999999999"}}, "after_id must be a non-negative integer"},
      {{{"limit", "ten"}}, "query parameter limit must be a non-negative integer"},
  };
  for (const Case& c : cases) {
    auto filter = parse_log_filter(c.query);
    ASSERT_FALSE(filter) << c.says;
    EXPECT_EQ(filter.error().code, Errc::invalid_argument) << c.says;
    EXPECT_NE(filter.error().message.find(c.says), std::string::npos) << filter.error().message;
  }
}

TEST(LogQuery, LogIdIsAPositiveInteger) {
  EXPECT_EQ(parse_log_id("1").value(), 1);
  EXPECT_EQ(parse_log_id("9223372036854775807").value(), 9223372036854775807);
  for (const char* text : {"", "0", "-1", "abc", "1.5", "12abc", "9223372036854775808", " 1"}) {
    auto id = parse_log_id(text);
    ASSERT_FALSE(id) << text;
    EXPECT_EQ(id.error().code, Errc::invalid_argument) << text;
    EXPECT_EQ(id.error().message, "the log entry id must be a positive integer");
  }
}

}  // namespace
}  // namespace ferry::api
