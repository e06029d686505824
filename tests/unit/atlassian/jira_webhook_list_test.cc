// The Jira webhooks kept in a connection's config: written and read back, shapes that are
// not ours skipped, the request body's specs checked, and when a refresh is due.
#include "ferry/atlassian/jira_webhook_list.h"

#include <gtest/gtest.h>

#include "ferry/atlassian/jira_webhook_keeper.h"
#include "ferry/atlassian/jira_webhook_registrar.h"

namespace ferry::atlassian {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const TimePoint kNow = TimePoint{} + std::chrono::seconds(1'800'000'000);

JiraWebhook webhook(std::int64_t id) {
  JiraWebhook w;
  w.id = id;
  w.events = {"jira:issue_created"};
  w.jql_filter = "project = PROJ";
  w.registered_at = kNow;
  w.expires_at = kNow + kJiraWebhookLifetime;
  return w;
}

TEST(JiraWebhookList, EntriesRoundTripThroughTheConnectionConfig) {
  JiraWebhook refreshed = webhook(10001);
  refreshed.refreshed_at = kNow + 1h;
  refreshed.field_ids_filter = {"summary"};
  refreshed.last_error = "Jira answered 500";
  const json config = with_jira_webhooks({{"cloudId", "c"}}, {webhook(10000), refreshed});
  EXPECT_EQ(config["cloudId"], "c");
  auto read = jira_webhooks(config);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].id, 10000);
  EXPECT_EQ(read[0].expires_at, kNow + kJiraWebhookLifetime);
  EXPECT_FALSE(read[0].refreshed_at);
  EXPECT_EQ(read[1].refreshed_at, kNow + 1h);
  EXPECT_EQ(read[1].field_ids_filter, (std::vector<std::string>{"summary"}));
  EXPECT_EQ(read[1].last_error, "Jira answered 500");
  EXPECT_FALSE(with_jira_webhooks(config, {}).contains("jiraWebhooks"));
}

TEST(JiraWebhookList, EntriesOfAnotherShapeAreSkipped) {
  json config = with_jira_webhooks(json::object(), {webhook(10000)});
  json& list = config["jiraWebhooks"];
  list.push_back("text");
  list.push_back({{"id", -1}, {"events", {"jira:issue_created"}}, {"jqlFilter", "x"},
                  {"expiresAt", "2030-01-01T00:00:00Z"}, {"registeredAt", "2030-01-01T00:00:00Z"}});
  list.push_back({{"id", 5}, {"events", json::array()}, {"jqlFilter", "x"},
                  {"expiresAt", "2030-01-01T00:00:00Z"}, {"registeredAt", "2030-01-01T00:00:00Z"}});
  list.push_back({{"id", 6}, {"events", {"a"}}, {"jqlFilter", "x"}, {"expiresAt", "soon"},
                  {"registeredAt", "2030-01-01T00:00:00Z"}});
  EXPECT_EQ(jira_webhooks(config).size(), 1u);
  EXPECT_TRUE(jira_webhooks(json{{"jiraWebhooks", "x"}}).empty());
  EXPECT_TRUE(jira_webhooks(json::array()).empty());
}

TEST(JiraWebhookSpecs, OneOrSeveralWebhooksInJirasOrSnakeCaseFields) {
  auto one = parse_jira_webhook_specs(
      {{"events", {"jira:issue_created", "comment_created"}}, {"jql_filter", "project = PROJ"}});
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].jql_filter, "project = PROJ");
  auto several = parse_jira_webhook_specs(
      {{"webhooks",
        {{{"events", {"jira:issue_updated"}}, {"jqlFilter", "project = A"},
          {"fieldIdsFilter", {"summary"}}},
         {{"events", {"jira:issue_deleted"}}, {"jqlFilter", "project = B"}}}}});
  ASSERT_TRUE(several) << several.error().message;
  ASSERT_EQ(several->size(), 2u);
  EXPECT_EQ((*several)[0].field_ids_filter, (std::vector<std::string>{"summary"}));
}

TEST(JiraWebhookSpecs, BadSpecsAreRefusedNamingTheProblem) {
  const std::pair<json, std::string> cases[] = {
      {json::array(), "JSON object"},
      {{{"events", {"jira:issue_created"}}}, "jqlFilter"},
      {{{"events", json::array()}, {"jqlFilter", "p = A"}}, "at least one event"},
      {{{"events", {"issue_moved"}}, {"jqlFilter", "p = A"}}, "issue_moved"},
      {{{"events", "jira:issue_created"}, {"jqlFilter", "p = A"}}, "events"},
      {{{"events", {"jira:issue_created"}}, {"jqlFilter", std::string(2001, 'x')}}, "2000"},
      {{{"webhooks", json::array()}}, "1 to 20"},
      {{{"webhooks", json::array({1})}}, "webhooks[0]"},
  };
  for (const auto& [body, expected] : cases) {
    auto parsed = parse_jira_webhook_specs(body);
    ASSERT_FALSE(parsed) << body.dump();
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument);
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
        << parsed.error().message;
  }
}

TEST(JiraWebhookKeeper, AWebhookIsRefreshedTenDaysAfterItsLastRefresh) {
  const JiraWebhook fresh = webhook(10000);
  EXPECT_FALSE(needs_refresh(fresh, kNow));
  EXPECT_FALSE(needs_refresh(fresh, kNow + std::chrono::hours(24 * 9)));
  EXPECT_TRUE(needs_refresh(fresh, kNow + std::chrono::hours(24 * 10) + 1s));
  EXPECT_TRUE(needs_refresh(fresh, kNow + std::chrono::hours(24 * 31)));
}

}  // namespace
}  // namespace ferry::atlassian
