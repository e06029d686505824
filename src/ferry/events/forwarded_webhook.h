#pragma once

// Provider webhook deliveries (POST /webhooks/incoming/{integration}) as outbox rows
// (store/types.h's OutboxEvent), in Nango's forward webhook shape:
//   {"from": "<provider>", "type": "forward", "connectionId", "providerConfigKey",
//    "payload": <the provider's JSON body, unchanged>}
// so that receivers written for Nango accept them, plus Ferry's own fields "eventId",
// "event" ("webhook.forwarded") and "occurredAt", as on connection events.
//
// A delivery that matched no connection becomes one row in the state unroutable, keyed by
// the integration alone, with "event": "webhook.unroutable" and the "reason": kept to be
// listed, never sent.
//
// Ids are derived from the delivery's identity (the provider's delivery id when it sends
// one, else the body's digest) and the connection, so a provider's retry of the same
// delivery writes nothing new.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/store/types.h"

namespace ferry::events {

inline constexpr std::string_view kForwardedEvent = "webhook.forwarded";
inline constexpr std::string_view kUnroutableEvent = "webhook.unroutable";

// One delivery as it arrived, already authenticated and parsed.
struct IncomingDelivery {
  std::string provider_config_key;
  std::string provider;     // the blueprint name ("jira"): Nango's "from"
  std::string delivery_id;  // the provider's id of the delivery; "" when it sends none
  std::string raw_body;     // the exact bytes received (their digest identifies the delivery)
  nlohmann::json payload;   // raw_body parsed
};

// One forward event per connection, in the order given.
std::vector<store::OutboxEvent> forwarded_events(const IncomingDelivery& delivery,
                                                 const std::vector<std::string>& connection_ids,
                                                 TimePoint now);

// The unroutable row of `delivery`; `reason` says why no connection matched.
store::OutboxEvent unroutable_event(const IncomingDelivery& delivery, std::string_view reason,
                                    TimePoint now);

}  // namespace ferry::events
