#pragma once

// The events Ferry tells the backend about a connection, as outbox rows (store/types.h's
// OutboxEvent) whose body is Nango's auth webhook:
//   {"from": "nango", "type": "auth", "connectionId", "authMode", "providerConfigKey",
//    "provider", "environment", "operation", "success", "endUser"?, "tags"?, "error"?}
// so that receivers written for Nango (and @nangohq/node's verifyIncomingWebhookRequest)
// accept it, plus Ferry's own fields "eventId", "event" (below) and "occurredAt".
//
//   event                         operation  success  when
//   connection.created            creation   true     a new connection
//   connection.overridden         override   true     new credentials for an existing one
//   connection.refresh_failed     refresh    false    the provider refused a refresh (once,
//                                                     until the connection recovers)
//   connection.refresh_recovered  refresh    true     tokens work again after a failure
//   connection.grant_expiring     refresh    true     the grant ends soon (expiresAt): the
//                                                     user must consent again before then
//   connection.deleted            deletion   true     the connection was deleted
//
// Each event's id is derived from what happened (the connection's row id and the version
// the change wrote, or the grant's start), so writing the same happening twice yields the
// same id, which the outbox keeps once.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/store/types.h"

namespace ferry::events {

// connection_events.cc names each kind in this order.
enum class ConnectionEventKind {
  created,
  overridden,
  refresh_failed,
  refresh_recovered,
  grant_expiring,
  deleted
};

// "connection.created", ...
std::string_view event_name(ConnectionEventKind kind);

// Makes the events; knows whether any receiver is configured. Immutable; thread-safe.
class ConnectionEvents {
 public:
  // Events are made only when `server.webhook_url` is set; `clock` stamps occurredAt.
  ConnectionEvents(const config::ServerConfig& server, std::shared_ptr<const Clock> clock);

  bool enabled() const { return enabled_; }

  // The event (none when disabled) for `kind` happening to `connection`, as the row will be
  // once the change is written: `version` is the version that write gives it (for an
  // update, the current version + 1; for a creation 1; for a deletion the deleted row's).
  // `error` is the failure's description (refresh_failed); `expires_at` the grant's end
  // (grant_expiring).
  std::vector<store::OutboxEvent> make(ConnectionEventKind kind,
                                       const store::Connection& connection,
                                       std::int64_t version, std::string_view error = {},
                                       std::optional<TimePoint> expires_at = {}) const;

 private:
  bool enabled_;
  std::string environment_;
  std::shared_ptr<const Clock> clock_;
};

// True when `errors` (a connection's errors column) holds a refresh failure (type "auth").
bool has_auth_error(const nlohmann::json& errors);

}  // namespace ferry::events
