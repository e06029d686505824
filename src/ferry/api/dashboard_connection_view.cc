#include "ferry/api/dashboard_connection_view.h"

#include "ferry/auth/credentials.h"
#include "ferry/core/clock.h"
#include "ferry/observe/redact.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr auto kExpiringWithin = std::chrono::hours(24);

// Masks every string below `value` but the fields named in `readable`.
void mask_strings(json& value, std::initializer_list<std::string_view> readable) {
  if (value.is_string()) {
    value = observe::mask(value.get<std::string>());
  } else if (value.is_object()) {
    for (auto& [name, field] : value.items()) {
      bool keep = false;
      for (std::string_view r : readable) keep = keep || name == r;
      if (!keep) mask_strings(field, {});
    }
  } else if (value.is_array()) {
    for (auto& item : value) mask_strings(item, {});
  }
}

json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(format_iso8601(*t)) : json(nullptr);
}

}  // namespace

std::string_view connection_health(const store::Connection& connection, TimePoint now) {
  if (connection.errors.is_array() && !connection.errors.empty()) return "refresh_failed";
  const store::Credentials& c = connection.credentials;
  if (c.type == store::CredentialType::oauth2 && c.refresh_token.empty() && c.expires_at &&
      *c.expires_at - now < kExpiringWithin) {
    return "expiring";
  }
  if (!connection.last_fetched_at) return "never_used";
  return "ok";
}

json masked_credentials(const store::Credentials& credentials) {
  json shown = auth::public_credentials(credentials, false);
  mask_strings(shown, {"type", "expires_at"});
  return shown;
}

json dashboard_connection_row(const store::Connection& connection, TimePoint now,
                              std::optional<TimePoint> last_refresh_at) {
  json errors = json::array();
  if (connection.errors.is_array()) {
    for (const auto& e : connection.errors) {
      errors.push_back({{"type", e.value("type", "")},
                        {"message", observe::redact(e.value("message", ""))}});
    }
  }
  return json{{"connection_id", connection.connection_id},
              {"provider_config_key", connection.provider_config_key},
              {"provider", connection.provider},
              {"created_at", format_iso8601(connection.created_at)},
              {"updated_at", format_iso8601(connection.updated_at)},
              {"last_fetched_at", time_or_null(connection.last_fetched_at)},
              {"last_refresh_at", time_or_null(last_refresh_at)},
              {"health", connection_health(connection, now)},
              {"errors", std::move(errors)},
              {"end_user", connection.end_user}};
}

json dashboard_connection_page(const store::Connection& connection, TimePoint now,
                               std::optional<TimePoint> last_refresh_at) {
  json page = dashboard_connection_row(connection, now, last_refresh_at);
  page["credentials"] = masked_credentials(connection.credentials);
  page["connection_config"] = connection.connection_config;
  page["metadata"] = connection.metadata;
  page["tags"] = connection.tags;
  return page;
}

}  // namespace ferry::api
