#include "ferry/auth/oauth2/expiry.h"

#include <string>

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

bool has_text(const json& credentials, const char* field) {
  return credentials.is_object() && credentials.contains(field) &&
         credentials[field].is_string() && !credentials[field].get<std::string>().empty();
}

bool has_expires_at(const json& credentials) {
  return credentials.is_object() && credentials.contains("expires_at") &&
         !credentials["expires_at"].is_null();
}

}  // namespace

std::optional<TimePoint> expires_at(const json& credentials) {
  if (!has_expires_at(credentials) || !credentials["expires_at"].is_string()) return std::nullopt;
  auto parsed = parse_iso8601(credentials["expires_at"].get<std::string>());
  if (!parsed) return std::nullopt;
  return *parsed;
}

bool is_due(const json& credentials, TimePoint now, std::chrono::seconds margin) {
  if (!has_text(credentials, "access_token")) return true;
  if (!has_expires_at(credentials)) return false;
  // A time we cannot read is treated as past: one refresh replaces it with a good one.
  auto expiry = expires_at(credentials);
  if (!expiry) return true;
  return *expiry <= now + margin;
}

Renewal renewal_needed(const config::Integration& integration, const json& credentials,
                       TimePoint now, bool force) {
  if (integration.auth.auth_mode != config::AuthMode::oauth2) return Renewal::none;
  if (!credentials.is_object()) return Renewal::none;
  const std::string type = credentials.value("type", "");
  if (!type.empty() && type != "OAUTH2") return Renewal::none;
  const bool due = force || is_due(credentials, now, integration.auth.refresh_margin);
  if (!due) return Renewal::none;
  if (integration.auth.grant_type == config::GrantType::client_credentials) {
    return Renewal::client_credentials;
  }
  return has_text(credentials, "refresh_token") ? Renewal::refresh_token : Renewal::none;
}

}  // namespace ferry::auth::oauth2
