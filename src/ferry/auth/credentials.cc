#include "ferry/auth/credentials.h"

#include <fmt/format.h>

#include "ferry/core/clock.h"

namespace ferry::auth {
namespace {

using nlohmann::json;

Error missing(std::string_view field, std::string_view mode) {
  return Error{Errc::invalid_argument,
               fmt::format("credentials.{} is required for {} integrations and must be a string",
                           field, mode)};
}

bool has_string(const json& object, const char* field) {
  return object.contains(field) && object[field].is_string();
}

// The type the client sent, mapped to the integration's auth mode names.
std::string submitted_type(const json& submitted) {
  std::string type = submitted.value("type", "");
  if (type == "USERNAME_PASSWORD") return "BASIC";
  return type;
}

Result<store::Credentials> oauth2(const json& in) {
  if (!has_string(in, "access_token")) return missing("access_token", "OAUTH2");
  store::Credentials out;
  out.type = store::CredentialType::oauth2;
  out.access_token = in["access_token"].get<std::string>();
  if (in.contains("refresh_token")) {
    if (!in["refresh_token"].is_string()) return missing("refresh_token", "OAUTH2");
    out.refresh_token = in["refresh_token"].get<std::string>();
  }
  if (in.contains("expires_at") && !in["expires_at"].is_null()) {
    auto parsed = in["expires_at"].is_string()
                      ? parse_iso8601(in["expires_at"].get<std::string>())
                      : Result<TimePoint>(Error{Errc::invalid_argument, "not a string"});
    if (!parsed) {
      return Error{Errc::invalid_argument,
                   "credentials.expires_at must be an ISO 8601 time such as "
                   "\"2026-11-29T20:00:00Z\""};
    }
    out.expires_at = *parsed;
  }
  if (in.contains("raw")) {
    if (!in["raw"].is_object()) {
      return Error{Errc::invalid_argument, "credentials.raw must be a JSON object"};
    }
    out.raw = in["raw"];
  } else {
    out.raw = in;
  }
  return out;
}

}  // namespace

Result<store::Credentials> normalize_credentials(const config::Integration& integration,
                                                 const json& submitted) {
  if (!submitted.is_object()) {
    return Error{Errc::invalid_argument, "credentials must be a JSON object with a \"type\""};
  }
  const std::string expected(config::auth_mode_name(integration.auth.auth_mode));
  const std::string type = submitted_type(submitted);
  if (type.empty()) {
    return Error{Errc::invalid_argument,
                 fmt::format("credentials.type is required (integration {} uses {})",
                             integration.key, expected)};
  }
  if (type != expected) {
    return Error{Errc::invalid_argument,
                 fmt::format("credentials.type is \"{}\" but integration {} uses {}", type,
                             integration.key, expected)};
  }
  store::Credentials out;
  switch (integration.auth.auth_mode) {
    case config::AuthMode::oauth2:
      return oauth2(submitted);
    case config::AuthMode::oauth1:
      if (!has_string(submitted, "oauth_token")) return missing("oauth_token", "OAUTH1");
      if (!has_string(submitted, "oauth_token_secret")) return missing("oauth_token_secret", "OAUTH1");
      out.type = store::CredentialType::oauth1;
      out.oauth_token = submitted["oauth_token"].get<std::string>();
      out.oauth_token_secret = submitted["oauth_token_secret"].get<std::string>();
      out.raw = submitted.contains("raw") && submitted["raw"].is_object() ? submitted["raw"]
                                                                           : submitted;
      return out;
    case config::AuthMode::api_key: {
      const char* field = has_string(submitted, "api_key") ? "api_key" : "apiKey";
      if (!has_string(submitted, field)) return missing("api_key", "API_KEY");
      out.type = store::CredentialType::api_key;
      out.api_key = submitted[field].get<std::string>();
      return out;
    }
    case config::AuthMode::basic:
      if (!has_string(submitted, "username")) return missing("username", "BASIC");
      if (!has_string(submitted, "password")) return missing("password", "BASIC");
      out.type = store::CredentialType::basic;
      out.username = submitted["username"].get<std::string>();
      out.password = submitted["password"].get<std::string>();
      return out;
    case config::AuthMode::none:
      return out;
  }
  return Error{Errc::internal, "unknown auth mode"};
}

json public_credentials(const store::Credentials& credentials, bool include_refresh_token) {
  json out = store::credentials_to_json(credentials);
  if (credentials.type == store::CredentialType::api_key) out["apiKey"] = credentials.api_key;
  if (credentials.type == store::CredentialType::oauth2 && !include_refresh_token) {
    out.erase("refresh_token");
    if (out.contains("raw") && out["raw"].is_object()) out["raw"].erase("refresh_token");
  }
  return out;
}

}  // namespace ferry::auth
