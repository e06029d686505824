#pragma once

// <utility> before Asio: its coroutine headers need std::exchange.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/clock.h"
#include "site_data.h"
#include "sites.h"

namespace ferry::http {
class Exchange;
}

namespace ferry::fake_atlassian {

// How Jira delivers a dynamic webhook's event to an OAuth 2.0 app: one POST per URL with a
// JSON body and "Authorization: Bearer <JWT>", the JWT signed (HS256) with the app's client
// secret so the receiver can tell the call comes from Jira.

// A receiver gets this long to answer (connect, send, response head) before the delivery
// counts as failed.
inline constexpr std::chrono::seconds kDeliveryTimeout{10};
// A delivery JWT is valid this long after it is issued.
inline constexpr std::chrono::seconds kDeliveryJwtLifetime{180};

// The compact HS256 JWT of a delivery: header {"alg":"HS256","typ":"JWT"}, claims
// {"iss": client_id, "iat": now, "exp": now + kDeliveryJwtLifetime} (seconds), each part
// base64url without padding, signed with HMAC-SHA256 over "header.claims" keyed by `secret`.
// With `expired`, iat lies 600 s in the past, so exp has passed too. Pure.
std::string delivery_jwt(std::string_view client_id, std::string_view secret, TimePoint now,
                         bool expired);

// Jira's issue_event_type_name for a webhook event ("jira:issue_created" -> "issue_created",
// "comment_created" -> "issue_commented"), or "" for the issue property events, whose
// deliveries carry none.
std::string issue_event_type_name(std::string_view event);

// The body of a delivery of `event` on `issue`: {"timestamp" (ms), "webhookEvent",
// "issue_event_type_name"?, "matchedWebhookIds", "user", "issue"}, every link on the site's
// own URL (https://<name>.atlassian.net), not the gateway. Pure.
nlohmann::json delivery_body(std::string_view event, const std::vector<std::int64_t>& webhook_ids,
                             const Issue& issue, const Project& project, const Site& site,
                             TimePoint now);

// One POST to send.
struct Delivery {
  std::string url;
  std::vector<std::int64_t> webhook_ids;  // the matched webhooks behind this URL
  std::string body;                       // JSON
  std::string authorization;              // the Authorization value; "" sends none
};

// What became of one delivery: the receiver's HTTP status, or 0 and why there is none.
struct DeliveryOutcome {
  int status = 0;
  std::string error;
};

// POSTs `delivery` through `exchange` with Content-Type: application/json and, when set,
// its Authorization, within kDeliveryTimeout. Only the status counts: the answer's body is
// never read. Suspends. Never throws for a receiver's failure: an unreachable, refusing or
// slow receiver, or a URL that cannot be sent to, is status 0 with the reason.
boost::asio::awaitable<DeliveryOutcome> send_delivery(http::Exchange& exchange,
                                                      const Delivery& delivery);

}  // namespace ferry::fake_atlassian
