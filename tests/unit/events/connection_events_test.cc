#include "ferry/events/connection_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ferry::events {
namespace {

using nlohmann::json;

config::ServerConfig with_receiver(std::string url = "https://backend.example.com/hooks") {
  config::ServerConfig server;
  server.webhook_url = std::move(url);
  server.environment = "staging";
  return server;
}

store::Connection connection() {
  store::Connection c;
  c.id = "6f1c2d3e-0000-4000-8000-000000000001";
  c.provider_config_key = "jira";
  c.connection_id = "user-1";
  c.provider = "jira";
  c.credentials.type = store::CredentialType::oauth2;
  c.credentials.access_token = "at-secret";
  c.credentials.refresh_token = "rt-secret";
  c.end_user = {{"id", "end-7"},
                {"email", "ada@example.com"},
                {"organization", {{"id", "org-1"}, {"display_name", "Org"}}}};
  c.tags = {{"team", "blue"}};
  return c;
}

class ConnectionEventsTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  ConnectionEvents events_{with_receiver(), clock_};
};

TEST_F(ConnectionEventsTest, NoReceiverMeansNoEvents) {
  ConnectionEvents off(with_receiver(""), clock_);
  EXPECT_FALSE(off.enabled());
  EXPECT_TRUE(off.make(ConnectionEventKind::created, connection(), 1).empty());
}

TEST_F(ConnectionEventsTest, TheBodyIsNangosAuthWebhook) {
  auto made = events_.make(ConnectionEventKind::created, connection(), 1);
  ASSERT_EQ(made.size(), 1u);
  const store::OutboxEvent& e = made[0];
  EXPECT_EQ(e.type, "connection.created");
  EXPECT_EQ(e.key.connection_id, "user-1");
  const json body = json::parse(e.body);
  EXPECT_EQ(body["from"], "nango");
  EXPECT_EQ(body["type"], "auth");
  EXPECT_EQ(body["connectionId"], "user-1");
  EXPECT_EQ(body["providerConfigKey"], "jira");
  EXPECT_EQ(body["provider"], "jira");
  EXPECT_EQ(body["authMode"], "OAUTH2");
  EXPECT_EQ(body["environment"], "staging");
  EXPECT_EQ(body["operation"], "creation");
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["eventId"], e.id);
  EXPECT_EQ(body["occurredAt"], format_iso8601(clock_->now()));
  EXPECT_EQ(body["endUser"], (json{{"endUserId", "end-7"},
                                   {"endUserEmail", "ada@example.com"},
                                   {"organizationId", "org-1"},
                                   {"tags", {{"team", "blue"}}}}));
  EXPECT_FALSE(body.contains("error"));
  // No credential ever goes out.
  EXPECT_EQ(e.body.find("secret"), std::string::npos) << e.body;
}

TEST_F(ConnectionEventsTest, EachKindHasItsOperationAndAFailureItsError) {
  const struct {
    ConnectionEventKind kind;
    const char* event;
    const char* operation;
    bool success;
  } cases[] = {
      {ConnectionEventKind::overridden, "connection.overridden", "override", true},
      {ConnectionEventKind::refresh_failed, "connection.refresh_failed", "refresh", false},
      {ConnectionEventKind::refresh_recovered, "connection.refresh_recovered", "refresh", true},
      {ConnectionEventKind::grant_expiring, "connection.grant_expiring", "refresh", true},
      {ConnectionEventKind::deleted, "connection.deleted", "deletion", true},
  };
  for (const auto& c : cases) {
    const json body =
        json::parse(events_.make(c.kind, connection(), 4, "the provider refused").at(0).body);
    EXPECT_EQ(body["event"], c.event);
    EXPECT_EQ(body["operation"], c.operation) << c.event;
    EXPECT_EQ(body["success"], c.success) << c.event;
    EXPECT_EQ(body.contains("error"), !c.success) << c.event;
  }
  const json failed = json::parse(
      events_.make(ConnectionEventKind::refresh_failed, connection(), 4, "refused").at(0).body);
  EXPECT_EQ(failed["error"],
            (json{{"type", "refresh_token_external_error"}, {"description", "refused"}}));
}

TEST_F(ConnectionEventsTest, IdsAreStablePerHappeningAndDistinctAcrossThem) {
  const auto id = [&](ConnectionEventKind kind, std::int64_t version) {
    return events_.make(kind, connection(), version).at(0).id;
  };
  EXPECT_EQ(id(ConnectionEventKind::refresh_failed, 3),
            id(ConnectionEventKind::refresh_failed, 3));
  clock_->advance(std::chrono::hours(1));  // the time of writing is not part of the id
  EXPECT_EQ(id(ConnectionEventKind::refresh_failed, 3),
            id(ConnectionEventKind::refresh_failed, 3));
  EXPECT_NE(id(ConnectionEventKind::refresh_failed, 3),
            id(ConnectionEventKind::refresh_failed, 5));
  EXPECT_NE(id(ConnectionEventKind::refresh_failed, 3),
            id(ConnectionEventKind::refresh_recovered, 3));
  store::Connection other = connection();
  other.id = "6f1c2d3e-0000-4000-8000-000000000002";  // deleted and made again
  EXPECT_NE(events_.make(ConnectionEventKind::created, other, 1).at(0).id,
            id(ConnectionEventKind::created, 1));
  EXPECT_EQ(id(ConnectionEventKind::created, 1).substr(0, 4), "evt_");
  EXPECT_EQ(id(ConnectionEventKind::created, 1).size(), 36u);

  // A grant's expiry warning is one per grant, whatever the version.
  const TimePoint ends = clock_->now() + std::chrono::days(10);
  EXPECT_EQ(events_.make(ConnectionEventKind::grant_expiring, connection(), 3, "", ends).at(0).id,
            events_.make(ConnectionEventKind::grant_expiring, connection(), 9, "", ends).at(0).id);
}

TEST(AuthErrors, AreFoundByType) {
  EXPECT_FALSE(has_auth_error(json::array()));
  EXPECT_FALSE(has_auth_error(json()));
  EXPECT_FALSE(has_auth_error(json::array({{{"type", "post_connection"}}})));
  EXPECT_TRUE(has_auth_error(json::array({{{"type", "post_connection"}}, {{"type", "auth"}}})));
}

}  // namespace
}  // namespace ferry::events
