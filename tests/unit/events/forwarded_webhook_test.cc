// Provider deliveries as outbox rows: Nango's forward webhook per connection, stable ids
// from the delivery's identity, and the unroutable row.
#include "ferry/events/forwarded_webhook.h"

#include <gtest/gtest.h>

namespace ferry::events {
namespace {

using nlohmann::json;

IncomingDelivery delivery(std::string id = "") {
  IncomingDelivery d;
  d.provider_config_key = "jira";
  d.provider = "jira";
  d.delivery_id = std::move(id);
  d.payload = {{"webhookEvent", "jira:issue_created"}, {"issue", {{"key", "PROJ-1"}}}};
  d.raw_body = d.payload.dump();
  return d;
}

const TimePoint kNow = TimePoint{} + std::chrono::seconds(1'800'000'000);

TEST(ForwardedWebhook, OneNangoForwardWebhookPerConnection) {
  auto events = forwarded_events(delivery(), {"u1", "u2"}, kNow);
  ASSERT_EQ(events.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const json body = json::parse(events[i].body);
    EXPECT_EQ(body["from"], "jira");
    EXPECT_EQ(body["type"], "forward");
    EXPECT_EQ(body["providerConfigKey"], "jira");
    EXPECT_EQ(body["connectionId"], i == 0 ? "u1" : "u2");
    EXPECT_EQ(body["payload"], delivery().payload);
    EXPECT_EQ(body["event"], "webhook.forwarded");
    EXPECT_EQ(body["eventId"], events[i].id);
    EXPECT_EQ(events[i].key.connection_id, i == 0 ? "u1" : "u2");
    EXPECT_EQ(events[i].type, "webhook.forwarded");
    EXPECT_EQ(events[i].state, store::OutboxState::pending);
  }
  EXPECT_NE(events[0].id, events[1].id);
}

TEST(ForwardedWebhook, ARetriedDeliveryHasTheSameIdsAndAnotherOneDoesNot) {
  // With the provider's delivery id: the id alone identifies it.
  IncomingDelivery retried = delivery("d-1");
  retried.raw_body += " ";
  EXPECT_EQ(forwarded_events(delivery("d-1"), {"u1"}, kNow)[0].id,
            forwarded_events(retried, {"u1"}, kNow)[0].id);
  EXPECT_NE(forwarded_events(delivery("d-1"), {"u1"}, kNow)[0].id,
            forwarded_events(delivery("d-2"), {"u1"}, kNow)[0].id);
  // Without: the bytes do.
  IncomingDelivery other = delivery();
  other.raw_body += " ";
  EXPECT_EQ(forwarded_events(delivery(), {"u1"}, kNow)[0].id,
            forwarded_events(delivery(), {"u1"}, kNow)[0].id);
  EXPECT_NE(forwarded_events(delivery(), {"u1"}, kNow)[0].id,
            forwarded_events(other, {"u1"}, kNow)[0].id);
}

TEST(ForwardedWebhook, AnUnroutableDeliveryIsKeptForItsIntegrationWithTheReason) {
  const store::OutboxEvent kept = unroutable_event(delivery("d-1"), "no connection is on it", kNow);
  EXPECT_EQ(kept.state, store::OutboxState::unroutable);
  EXPECT_EQ(kept.key.provider_config_key, "jira");
  EXPECT_EQ(kept.key.connection_id, "");
  EXPECT_EQ(kept.type, "webhook.unroutable");
  const json body = json::parse(kept.body);
  EXPECT_EQ(body["reason"], "no connection is on it");
  EXPECT_FALSE(body.contains("connectionId"));
  EXPECT_EQ(body["payload"]["issue"]["key"], "PROJ-1");
  EXPECT_EQ(unroutable_event(delivery("d-1"), "x", kNow).id, kept.id);
}

}  // namespace
}  // namespace ferry::events
