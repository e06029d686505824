#include "ferry/store/credentials.h"

#include <array>
#include <utility>

namespace ferry::store {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<CredentialType, std::string_view>, 5> kTypeNames = {{
    {CredentialType::none, "NONE"},
    {CredentialType::oauth2, "OAUTH2"},
    {CredentialType::oauth1, "OAUTH1"},
    {CredentialType::api_key, "API_KEY"},
    {CredentialType::basic, "BASIC"},
}};

Error corrupt(std::string_view what, std::string_view why) {
  return Error{Errc::storage_corrupt,
               "the credentials of " + std::string(what) + " " + std::string(why)};
}

// Copies the string member `field` of `stored` into `out`. A missing member is an error
// when `required`, else leaves `out` empty.
Status read_string(const json& stored, const char* field, bool required, std::string& out,
                   std::string_view what) {
  auto it = stored.find(field);
  if (it == stored.end() || it->is_null()) {
    if (required) return corrupt(what, std::string("have no ") + field);
    return ok();
  }
  if (!it->is_string()) return corrupt(what, std::string("have a ") + field + " that is not text");
  out = it->get<std::string>();
  return ok();
}

Status read_fields(const json& stored, std::string_view what,
                   std::initializer_list<std::pair<const char*, std::string*>> fields) {
  for (auto [name, target] : fields) {
    if (auto read = read_string(stored, name, true, *target, what); !read) return read;
  }
  return ok();
}

json raw_of(const json& stored) {
  auto it = stored.find("raw");
  return it != stored.end() && it->is_object() ? *it : json::object();
}

}  // namespace

std::string_view credential_type_name(CredentialType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "NONE";
}

json credentials_to_json(const Credentials& c) {
  json out = {{"type", credential_type_name(c.type)}};
  switch (c.type) {
    case CredentialType::oauth2:
      out["access_token"] = c.access_token;
      if (!c.refresh_token.empty()) out["refresh_token"] = c.refresh_token;
      if (c.expires_at) out["expires_at"] = format_iso8601(*c.expires_at);
      out["raw"] = c.raw;
      break;
    case CredentialType::oauth1:
      out["oauth_token"] = c.oauth_token;
      out["oauth_token_secret"] = c.oauth_token_secret;
      out["raw"] = c.raw;
      break;
    case CredentialType::api_key:
      out["api_key"] = c.api_key;
      break;
    case CredentialType::basic:
      out["username"] = c.username;
      out["password"] = c.password;
      break;
    case CredentialType::none:
      break;
  }
  return out;
}

Result<Credentials> credentials_from_json(const json& stored, std::string_view what) {
  if (!stored.is_object()) return corrupt(what, "are not a JSON object");
  Credentials c;
  std::string type_name;
  if (auto read = read_string(stored, "type", false, type_name, what); !read) {
    return std::move(read).error();
  }
  bool known = type_name.empty();
  for (const auto& [value, name] : kTypeNames) {
    if (name == type_name) {
      c.type = value;
      known = true;
    }
  }
  if (!known) return corrupt(what, "have an unknown type");
  Status read = ok();
  switch (c.type) {
    case CredentialType::oauth2: {
      // No access token yet (a client_credentials connection before its first grant)
      // reads as an empty one, which is due.
      read = read_string(stored, "access_token", false, c.access_token, what);
      if (read) read = read_string(stored, "refresh_token", false, c.refresh_token, what);
      std::string expiry;
      if (read) read = read_string(stored, "expires_at", false, expiry, what);
      if (read && !expiry.empty()) {
        auto parsed = parse_iso8601(expiry);
        c.expires_at = parsed ? *parsed : TimePoint{};
      }
      c.raw = raw_of(stored);
      break;
    }
    case CredentialType::oauth1:
      read = read_fields(stored, what,
                         {{"oauth_token", &c.oauth_token},
                          {"oauth_token_secret", &c.oauth_token_secret}});
      c.raw = raw_of(stored);
      break;
    case CredentialType::api_key:
      read = read_fields(stored, what, {{"api_key", &c.api_key}});
      break;
    case CredentialType::basic:
      read = read_fields(stored, what, {{"username", &c.username}, {"password", &c.password}});
      break;
    case CredentialType::none:
      break;
  }
  if (!read) return std::move(read).error();
  return c;
}

}  // namespace ferry::store
