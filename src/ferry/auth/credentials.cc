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

Result<json> oauth2(const json& in) {
  if (!has_string(in, "access_token")) return missing("access_token", "OAUTH2");
  json out = {{"type", "OAUTH2"}, {"access_token", in["access_token"]}};
  if (in.contains("refresh_token")) {
    if (!in["refresh_token"].is_string()) return missing("refresh_token", "OAUTH2");
    out["refresh_token"] = in["refresh_token"];
  }
  if (in.contains("expires_at") && !in["expires_at"].is_null()) {
    if (!in["expires_at"].is_string() || !parse_iso8601(in["expires_at"].get<std::string>())) {
      return Error{Errc::invalid_argument,
                   "credentials.expires_at must be an ISO 8601 time such as "
                   "\"2026-11-29T20:00:00Z\""};
    }
    out["expires_at"] = format_iso8601(*parse_iso8601(in["expires_at"].get<std::string>()));
  }
  if (in.contains("raw")) {
    if (!in["raw"].is_object()) {
      return Error{Errc::invalid_argument, "credentials.raw must be a JSON object"};
    }
    out["raw"] = in["raw"];
  } else {
    out["raw"] = in;
  }
  return out;
}

}  // namespace

Result<json> normalize_credentials(const config::Integration& integration, const json& submitted) {
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
  switch (integration.auth.auth_mode) {
    case config::AuthMode::oauth2:
      return oauth2(submitted);
    case config::AuthMode::oauth1: {
      if (!has_string(submitted, "oauth_token")) return missing("oauth_token", "OAUTH1");
      if (!has_string(submitted, "oauth_token_secret")) return missing("oauth_token_secret", "OAUTH1");
      return json{{"type", "OAUTH1"},
                  {"oauth_token", submitted["oauth_token"]},
                  {"oauth_token_secret", submitted["oauth_token_secret"]},
                  {"raw", submitted.value("raw", submitted)}};
    }
    case config::AuthMode::api_key: {
      const char* field = has_string(submitted, "api_key") ? "api_key" : "apiKey";
      if (!has_string(submitted, field)) return missing("api_key", "API_KEY");
      return json{{"type", "API_KEY"}, {"api_key", submitted[field]}};
    }
    case config::AuthMode::basic: {
      if (!has_string(submitted, "username")) return missing("username", "BASIC");
      if (!has_string(submitted, "password")) return missing("password", "BASIC");
      return json{{"type", "BASIC"},
                  {"username", submitted["username"]},
                  {"password", submitted["password"]}};
    }
    case config::AuthMode::none:
      return json{{"type", "NONE"}};
  }
  return Error{Errc::internal, "unknown auth mode"};
}

json public_credentials(const json& stored, bool include_refresh_token) {
  json out = stored;
  const std::string type = stored.value("type", "");
  if (type == "API_KEY" && stored.contains("api_key")) out["apiKey"] = stored["api_key"];
  if (type == "OAUTH2" && !include_refresh_token) {
    out.erase("refresh_token");
    if (out.contains("raw") && out["raw"].is_object()) out["raw"].erase("refresh_token");
  }
  return out;
}

}  // namespace ferry::auth
