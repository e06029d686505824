#include "ferry/auth/placeholders.h"

#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"

namespace ferry::auth {
namespace {

using nlohmann::json;

enum class Mode { text, path };

constexpr std::size_t kMaxNameInMessage = 64;

// Credential fields a placeholder of the same name reads (credentials.h stored forms).
constexpr std::array<std::string_view, 7> kCredentialFields = {
    "access_token", "refresh_token", "api_key",           "username",
    "password",     "oauth_token",   "oauth_token_secret"};

// Every accepted name without a key, for "did you mean" hints.
const std::vector<std::string>& plain_names() {
  static const std::vector<std::string> names = {
      "access_token",    "refresh_token",       "api_key",     "username",
      "password",        "basic_auth_encoded",  "oauth_token", "oauth_token_secret",
      "oauth_client_id", "oauth_client_secret", "app_api_key"};
  return names;
}

// The known name `name` most likely misspells, or "". Long names get no hint: edit
// distance is quadratic and a request path may hold an arbitrarily long name.
std::string suggestion(std::string_view name) {
  if (name.size() > kMaxNameInMessage) return "";
  auto dot = name.find('.');
  if (dot == std::string_view::npos) return closest_match(name, plain_names());
  std::string key(name.substr(dot + 1));
  return closest_match(name, {"raw." + key, "connectionConfig." + key, "metadata." + key});
}

// `name` as messages show it: bounded, with unprintable bytes as '?'. Names come from
// configuration or from a request path, never from a credential.
std::string shown(std::string_view name) {
  std::string out(name.substr(0, kMaxNameInMessage));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  if (name.size() > kMaxNameInMessage) out += "...";
  return out;
}

Error placeholder_error(std::string_view name, std::string_view why) {
  return Error{Errc::invalid_argument, "placeholder ${" + shown(name) + "} " + std::string(why)};
}

std::string credentials_type(const json& credentials) {
  if (!credentials.is_object()) return "";
  auto it = credentials.find("type");
  return it != credentials.end() && it->is_string() ? it->get<std::string>() : "";
}

Error no_value(std::string_view name, const PlaceholderContext& c) {
  std::string type = credentials_type(c.credentials);
  return placeholder_error(name, "has no value for this connection (credentials type " +
                                     (type.empty() ? std::string("unknown") : shown(type)) + ")");
}

// The member `key` of `object` when present and not null.
const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> credential(std::string_view name, const PlaceholderContext& c) {
  const json* value = member(c.credentials, name);
  if (value == nullptr || !value->is_string()) return no_value(name, c);
  return value->get<std::string>();
}

// A string as is; a number or boolean as its JSON text.
Result<std::string> scalar(std::string_view name, const json* value) {
  if (value == nullptr) return placeholder_error(name, "has no value for this connection");
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number() || value->is_boolean()) return value->dump();
  return placeholder_error(name, "is not a string, number or boolean");
}

Result<std::string> basic_auth_encoded(std::string_view name, const PlaceholderContext& c) {
  std::string type = credentials_type(c.credentials);
  if (type == "BASIC") {
    auto username = credential("username", c);
    auto password = credential("password", c);
    if (!username || !password) return no_value(name, c);
    return base64_encode(*username + ":" + *password);
  }
  if (type == "API_KEY") {
    auto key = credential("api_key", c);
    if (!key) return no_value(name, c);
    return base64_encode(*key + ":");
  }
  return no_value(name, c);
}

Result<std::string> from_integration(std::string_view name, const std::string& value,
                                     const PlaceholderContext& c) {
  if (value.empty()) {
    return placeholder_error(name, "is not set for integration " + shown(c.integration.key));
  }
  return value;
}

// The value behind `prefix.KEY` in `object`, or nullopt when `name` lacks the prefix.
std::optional<Result<std::string>> keyed(std::string_view name, std::string_view prefix,
                                         const json& object) {
  if (!name.starts_with(prefix)) return std::nullopt;
  std::string_view key = name.substr(prefix.size());
  if (key.empty()) return placeholder_error(name, "needs a key after the '.'");
  return scalar(name, member(object, key));
}

Result<std::string> resolve(std::string_view name, const PlaceholderContext& c) {
  for (std::string_view field : kCredentialFields) {
    if (name == field) return credential(name, c);
  }
  if (name == "basic_auth_encoded") return basic_auth_encoded(name, c);
  if (name == "oauth_client_id") return from_integration(name, c.integration.oauth_client_id, c);
  if (name == "oauth_client_secret") {
    return from_integration(name, c.integration.oauth_client_secret, c);
  }
  if (name == "app_api_key") return from_integration(name, c.integration.app_api_key, c);
  const json* raw = member(c.credentials, "raw");
  if (auto v = keyed(name, "raw.", raw ? *raw : json())) return std::move(*v);
  if (auto v = keyed(name, "connectionConfig.", c.connection_config)) return std::move(*v);
  if (auto v = keyed(name, "metadata.", c.metadata)) return std::move(*v);
  std::string hint = suggestion(name);
  if (hint.empty()) return placeholder_error(name, "is unknown");
  return placeholder_error(name, "is unknown; did you mean ${" + shown(hint) + "}?");
}

// Length of the placeholder opener at `s[i]`, or 0.
std::size_t opener_at(std::string_view s, std::size_t i, Mode mode) {
  std::string_view rest = s.substr(i);
  if (rest.starts_with("${")) return 2;
  if (mode == Mode::text) return 0;
  for (std::string_view form : {"$%7b", "%24%7b", "%24{"}) {
    if (starts_with_icase(rest, form)) return form.size();
  }
  return 0;
}

// Position and length of the first closer at or after `from`; npos when there is none.
std::pair<std::size_t, std::size_t> find_closer(std::string_view s, std::size_t from, Mode mode) {
  for (std::size_t i = from; i < s.size(); ++i) {
    if (s[i] == '}') return {i, 1};
    if (mode == Mode::path && starts_with_icase(s.substr(i), "%7d")) return {i, 3};
  }
  return {std::string_view::npos, 0};
}

// The looked-up name between an opener and its closer (decoded in path mode).
Result<std::string> placeholder_name(std::string_view raw, Mode mode) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (opener_at(raw, i, mode) > 0) return placeholder_error(raw, "holds a nested placeholder");
  }
  if (raw.empty()) return placeholder_error(raw, "has an empty name");
  if (mode == Mode::text) return std::string(raw);
  auto checked = boost::urls::make_pct_string_view(raw);
  if (!checked) return placeholder_error(raw, "has invalid percent-encoding");
  return checked->decode();
}

Result<std::string> substitute(std::string_view s, const PlaceholderContext& c, Mode mode) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    // One '$' before an opener escapes it.
    if (s[i] == '$') {
      if (std::size_t len = opener_at(s, i + 1, mode); len > 0) {
        out.append(s.substr(i + 1, len));
        i += 1 + len;
        continue;
      }
    }
    std::size_t len = opener_at(s, i, mode);
    if (len == 0) {
      out.push_back(s[i++]);
      continue;
    }
    auto [close, close_len] = find_closer(s, i + len, mode);
    if (close == std::string_view::npos) {
      return placeholder_error(s.substr(i + len), "is not closed by '}'");
    }
    auto name = placeholder_name(s.substr(i + len, close - i - len), mode);
    if (!name) return std::move(name).error();
    auto value = resolve(*name, c);
    if (!value) return std::move(value).error();
    out += mode == Mode::path ? boost::urls::encode(*value, boost::urls::unreserved_chars) : *value;
    i = close + close_len;
  }
  return out;
}

}  // namespace

Result<std::string> interpolate(std::string_view text, const PlaceholderContext& context) {
  return substitute(text, context, Mode::text);
}

Result<std::string> interpolate_path(std::string_view path, const PlaceholderContext& context) {
  return substitute(path, context, Mode::path);
}

}  // namespace ferry::auth
