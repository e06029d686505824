#include "ferry/events/forwarded_webhook.h"

#include "ferry/core/crypto.h"

namespace ferry::events {
namespace {

using nlohmann::json;

// The delivery's identity: the provider's id, else what it carried.
std::string identity_of(const IncomingDelivery& delivery) {
  return delivery.delivery_id.empty() ? "body:" + hex_encode(sha256(delivery.raw_body))
                                      : "id:" + delivery.delivery_id;
}

std::string event_id(std::string_view event, const IncomingDelivery& delivery,
                     std::string_view connection_id) {
  const std::string what = std::string(event) + "\n" + delivery.provider_config_key + "\n" +
                           std::string(connection_id) + "\n" + identity_of(delivery);
  return "evt_" + hex_encode(sha256(what)).substr(0, 32);
}

json base_body(const IncomingDelivery& delivery, std::string_view event, const std::string& id,
               TimePoint now) {
  return {{"from", delivery.provider},
          {"type", "forward"},
          {"providerConfigKey", delivery.provider_config_key},
          {"payload", delivery.payload},
          {"eventId", id},
          {"event", event},
          {"occurredAt", format_iso8601(now)}};
}

}  // namespace

std::vector<store::OutboxEvent> forwarded_events(const IncomingDelivery& delivery,
                                                 const std::vector<std::string>& connection_ids,
                                                 TimePoint now) {
  std::vector<store::OutboxEvent> events;
  events.reserve(connection_ids.size());
  for (const std::string& connection_id : connection_ids) {
    store::OutboxEvent event;
    event.id = event_id(kForwardedEvent, delivery, connection_id);
    event.key = {delivery.provider_config_key, connection_id};
    event.type = std::string(kForwardedEvent);
    json body = base_body(delivery, kForwardedEvent, event.id, now);
    body["connectionId"] = connection_id;
    event.body = body.dump();
    event.created_at = now;
    events.push_back(std::move(event));
  }
  return events;
}

store::OutboxEvent unroutable_event(const IncomingDelivery& delivery, std::string_view reason,
                                    TimePoint now) {
  store::OutboxEvent event;
  event.id = event_id(kUnroutableEvent, delivery, "");
  event.key = {delivery.provider_config_key, ""};
  event.type = std::string(kUnroutableEvent);
  event.state = store::OutboxState::unroutable;
  json body = base_body(delivery, kUnroutableEvent, event.id, now);
  body["reason"] = reason;
  event.body = body.dump();
  event.created_at = now;
  return event;
}

}  // namespace ferry::events
