#include "ferry/events/connection_events.h"

#include <nlohmann/json.hpp>

#include "ferry/core/crypto.h"
#include "ferry/store/credentials.h"

namespace ferry::events {
namespace {

using nlohmann::json;

// Each kind's event name and Nango operation, in ConnectionEventKind's order.
struct KindNames {
  std::string_view event;
  std::string_view operation;
};
constexpr KindNames kKindNames[] = {
    {"connection.created", "creation"},
    {"connection.overridden", "override"},
    {"connection.refresh_failed", "refresh"},
    {"connection.refresh_recovered", "refresh"},
    {"connection.grant_expiring", "refresh"},
    {"connection.deleted", "deletion"},
};

const KindNames& names_of(ConnectionEventKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

// Nango's endUser: {endUserId, endUserEmail?, organizationId?, tags}; absent without one.
std::optional<json> end_user_of(const store::Connection& c) {
  if (!c.end_user.is_object() || !c.end_user.contains("id")) return std::nullopt;
  json out = {{"endUserId", c.end_user["id"]},
              {"tags", c.tags.is_object() ? c.tags : json::object()}};
  if (c.end_user.contains("email")) out["endUserEmail"] = c.end_user["email"];
  const json& organization = c.end_user.value("organization", json());
  if (organization.is_object() && organization.contains("id")) {
    out["organizationId"] = organization["id"];
  }
  return out;
}

// The same happening always gives the same id; different happenings differ.
std::string event_id(ConnectionEventKind kind, const store::Connection& c, std::int64_t version,
                     std::optional<TimePoint> expires_at) {
  std::string what = std::string(event_name(kind)) + "\n" + c.id + "\n";
  what += kind == ConnectionEventKind::grant_expiring && expires_at
              ? format_iso8601(*expires_at)
              : std::to_string(version);
  return "evt_" + hex_encode(sha256(what)).substr(0, 32);
}

}  // namespace

std::string_view event_name(ConnectionEventKind kind) { return names_of(kind).event; }

ConnectionEvents::ConnectionEvents(const config::ServerConfig& server,
                                   std::shared_ptr<const Clock> clock)
    : enabled_(!server.webhook_url.empty()),
      environment_(server.environment),
      clock_(std::move(clock)) {}

std::vector<store::OutboxEvent> ConnectionEvents::make(ConnectionEventKind kind,
                                                       const store::Connection& connection,
                                                       std::int64_t version,
                                                       std::string_view error,
                                                       std::optional<TimePoint> expires_at) const {
  if (!enabled_) return {};
  store::OutboxEvent event;
  event.id = event_id(kind, connection, version, expires_at);
  event.key = connection.key();
  event.type = std::string(event_name(kind));
  const bool success = kind != ConnectionEventKind::refresh_failed;
  json body = {{"from", "nango"},
               {"type", "auth"},
               {"connectionId", connection.connection_id},
               {"authMode", store::credential_type_name(connection.credentials.type)},
               {"providerConfigKey", connection.provider_config_key},
               {"provider", connection.provider},
               {"environment", environment_},
               {"operation", names_of(kind).operation},
               {"success", success},
               {"eventId", event.id},
               {"event", event.type},
               {"occurredAt", format_iso8601(clock_->now())}};
  if (auto user = end_user_of(connection)) body["endUser"] = std::move(*user);
  if (connection.tags.is_object() && !connection.tags.empty()) body["tags"] = connection.tags;
  if (!success) {
    body["error"] = {{"type", "refresh_token_external_error"},
                     {"description", std::string(error)}};
  }
  if (expires_at) body["expiresAt"] = format_iso8601(*expires_at);
  event.body = body.dump();
  return {std::move(event)};
}

bool has_auth_error(const nlohmann::json& errors) {
  if (!errors.is_array()) return false;
  for (const auto& entry : errors) {
    if (entry.is_object() && entry.value("type", "") == "auth") return true;
  }
  return false;
}

}  // namespace ferry::events
