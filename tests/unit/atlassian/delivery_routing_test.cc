// Routing Atlassian webhook deliveries to connections by the site their links name.
#include "ferry/atlassian/delivery_routing.h"

#include <gtest/gtest.h>

namespace ferry::atlassian {
namespace {

using nlohmann::json;

constexpr const char* kAcmeId = "1324a887-45db-1bf4-1e99-ef0ff456d421";
constexpr const char* kGlobexId = "8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64";

store::Connection on_site(const std::string& id, const std::string& cloud_id,
                          const std::string& base_url, json webhooks = json()) {
  store::Connection c;
  c.provider_config_key = "jira";
  c.connection_id = id;
  c.connection_config = {{"cloudId", cloud_id}, {"baseUrl", base_url}};
  if (!webhooks.is_null()) c.connection_config["jiraWebhooks"] = std::move(webhooks);
  return c;
}

json issue_delivery(const std::string& site_url, json matched = json::array()) {
  return {{"webhookEvent", "jira:issue_created"},
          {"matchedWebhookIds", std::move(matched)},
          {"issue", {{"id", "10001"}, {"key", "PROJ-1"}, {"self", site_url + "/rest/api/2/issue/10001"}}}};
}

json registered(std::int64_t id) {
  return json::array({{{"id", id},
                       {"events", {"jira:issue_created"}},
                       {"jqlFilter", "project = PROJ"},
                       {"expiresAt", "2030-01-01T00:00:00Z"},
                       {"registeredAt", "2029-12-02T00:00:00Z"}}});
}

const std::vector<store::Connection> kConnections = {
    on_site("acme-1", kAcmeId, "https://acme.atlassian.net"),
    on_site("acme-2", kAcmeId, "https://ACME.atlassian.net/"),
    on_site("globex-1", kGlobexId, "https://globex.atlassian.net"),
    on_site("no-site", "", ""),
};

TEST(DeliveryRouting, ADeliveryGoesToEveryConnectionOnItsSite) {
  Route route = route_atlassian_delivery(issue_delivery("https://acme.atlassian.net"), kConnections);
  EXPECT_EQ(route.connection_ids, (std::vector<std::string>{"acme-1", "acme-2"}));
  EXPECT_EQ(route.reason, "");
  route = route_atlassian_delivery(issue_delivery("https://globex.atlassian.net"), kConnections);
  EXPECT_EQ(route.connection_ids, (std::vector<std::string>{"globex-1"}));
}

TEST(DeliveryRouting, TheSiteComesFromAnyLinkTheDeliveryCarries) {
  json comment = {{"webhookEvent", "comment_created"},
                  {"comment", {{"self", "https://globex.atlassian.net/rest/api/2/issue/1/comment/2"}}}};
  EXPECT_EQ(route_atlassian_delivery(comment, kConnections).connection_ids,
            (std::vector<std::string>{"globex-1"}));
  json user = {{"user", {{"self", "https://acme.atlassian.net/rest/api/2/user?accountId=x"}}}};
  EXPECT_EQ(route_atlassian_delivery(user, kConnections).connection_ids.size(), 2u);
  // A gateway link names the site by its cloud id.
  json gateway = issue_delivery(std::string("https://api.atlassian.com/ex/jira/") + kGlobexId);
  auto site = delivery_site(gateway);
  ASSERT_TRUE(site);
  EXPECT_EQ(site->cloud_id, kGlobexId);
  EXPECT_EQ(route_atlassian_delivery(gateway, kConnections).connection_ids,
            (std::vector<std::string>{"globex-1"}));
}

TEST(DeliveryRouting, MatchedWebhookIdsNarrowToTheConnectionsThatRegisteredThem) {
  std::vector<store::Connection> connections = kConnections;
  connections[1].connection_config["jiraWebhooks"] = registered(10004);
  Route route = route_atlassian_delivery(
      issue_delivery("https://acme.atlassian.net", json::array({10004})), connections);
  EXPECT_EQ(route.connection_ids, (std::vector<std::string>{"acme-2"}));
  // Ids nobody on the site registered: everyone on the site.
  route = route_atlassian_delivery(
      issue_delivery("https://acme.atlassian.net", json::array({99})), connections);
  EXPECT_EQ(route.connection_ids.size(), 2u);
}

TEST(DeliveryRouting, ADeliveryForAnotherSiteOrNoneIsUnroutableWithAReason) {
  Route route = route_atlassian_delivery(issue_delivery("https://initech.atlassian.net"), kConnections);
  EXPECT_TRUE(route.connection_ids.empty());
  EXPECT_NE(route.reason.find("https://initech.atlassian.net"), std::string::npos);
  for (const json& payload :
       {json::object(), json::array(), json{{"issue", {{"self", 42}}}},
        json{{"issue", {{"self", "javascript:alert(1)"}}}}, json{{"issue", "x"}},
        json{{"self", "https://user:pw@acme.atlassian.net/x"}},
        json{{"self", "https://" + std::string(20000, 'a') + ".atlassian.net/"}}}) {
    route = route_atlassian_delivery(payload, kConnections);
    EXPECT_TRUE(route.connection_ids.empty()) << payload.dump().substr(0, 80);
    EXPECT_FALSE(route.reason.empty());
  }
}

}  // namespace
}  // namespace ferry::atlassian
