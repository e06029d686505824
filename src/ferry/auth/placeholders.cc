#include "ferry/auth/placeholders.h"

#include <array>
#include <boost/url/pct_string_view.hpp>
#include <optional>
#include <utility>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/core/url_encoding.h"

namespace ferry::auth {
namespace {

using nlohmann::json;
using Mode = Template::Mode;
using Source = Template::Source;
using Scope = Template::Scope;

constexpr std::size_t kMaxNameInMessage = 64;

// The names without a key, and what each reads.
constexpr std::array<std::pair<std::string_view, Source>, 11> kPlainNames = {{
    {"access_token", Source::access_token},
    {"refresh_token", Source::refresh_token},
    {"api_key", Source::api_key},
    {"username", Source::username},
    {"password", Source::password},
    {"basic_auth_encoded", Source::basic_auth_encoded},
    {"oauth_token", Source::oauth_token},
    {"oauth_token_secret", Source::oauth_token_secret},
    {"oauth_client_id", Source::oauth_client_id},
    {"oauth_client_secret", Source::oauth_client_secret},
    {"app_api_key", Source::app_api_key},
}};

// The keyed names: "raw.KEY" and friends.
constexpr std::array<std::pair<std::string_view, Source>, 3> kKeyedPrefixes = {{
    {"raw.", Source::raw},
    {"connectionConfig.", Source::connection_config},
    {"metadata.", Source::metadata},
}};

// The known name `name` most likely misspells, or "". Long names get no hint: edit
// distance is quadratic and a request path may hold an arbitrarily long name.
std::string suggestion(std::string_view name) {
  if (name.size() > kMaxNameInMessage) return "";
  auto dot = name.find('.');
  if (dot == std::string_view::npos) {
    std::vector<std::string> names;
    for (const auto& [known, unused] : kPlainNames) names.emplace_back(known);
    return closest_match(name, names);
  }
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

// What `name` reads, or why it is not a placeholder.
Result<Template::Piece> classify(const std::string& name) {
  for (const auto& [known, source] : kPlainNames) {
    if (name == known) return Template::Piece{source, {}};
  }
  for (const auto& [prefix, source] : kKeyedPrefixes) {
    if (!name.starts_with(prefix)) continue;
    std::string key = name.substr(prefix.size());
    if (key.empty()) return placeholder_error(name, "needs a key after the '.'");
    return Template::Piece{source, std::move(key)};
  }
  std::string hint = suggestion(name);
  if (hint.empty()) return placeholder_error(name, "is unknown");
  return placeholder_error(name, "is unknown; did you mean ${" + shown(hint) + "}?");
}

std::string written_name(const Template::Piece& piece) {
  for (const auto& [prefix, source] : kKeyedPrefixes) {
    if (piece.source == source) return std::string(prefix) + piece.text;
  }
  for (const auto& [known, source] : kPlainNames) {
    if (piece.source == source) return std::string(known);
  }
  return {};
}

Error no_value(const Template::Piece& piece, const PlaceholderContext& c) {
  return placeholder_error(written_name(piece),
                           "has no value for this connection (credentials type " +
                               std::string(store::credential_type_name(c.credentials.type)) +
                               ")");
}

// The member `key` of `object` when present and not null.
const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// A string as is; a number or boolean as its JSON text.
Result<std::string> scalar(const Template::Piece& piece, const json* value) {
  const std::string name = written_name(piece);
  if (value == nullptr) return placeholder_error(name, "has no value for this connection");
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number() || value->is_boolean()) return value->dump();
  return placeholder_error(name, "is not a string, number or boolean");
}

// A credential field, when the credentials are of the type that has it.
Result<std::string> credential(const Template::Piece& piece, store::CredentialType needed,
                               const std::string& value, const PlaceholderContext& c) {
  if (c.credentials.type != needed || value.empty()) return no_value(piece, c);
  return value;
}

Result<std::string> from_integration(const Template::Piece& piece, const std::string& value,
                                     const PlaceholderContext& c) {
  if (value.empty()) {
    return placeholder_error(written_name(piece),
                             "is not set for integration " + shown(c.integration.key));
  }
  return value;
}

Result<std::string> basic_auth_encoded(const Template::Piece& piece, const PlaceholderContext& c) {
  const store::Credentials& cr = c.credentials;
  if (cr.type == store::CredentialType::basic) return base64_encode(cr.username + ":" + cr.password);
  if (cr.type == store::CredentialType::api_key && !cr.api_key.empty()) {
    return base64_encode(cr.api_key + ":");
  }
  return no_value(piece, c);
}

Result<std::string> resolve(const Template::Piece& piece, const PlaceholderContext& c) {
  using store::CredentialType;
  const store::Credentials& cr = c.credentials;
  switch (piece.source) {
    case Source::literal: return piece.text;
    case Source::access_token: return credential(piece, CredentialType::oauth2, cr.access_token, c);
    case Source::refresh_token:
      return credential(piece, CredentialType::oauth2, cr.refresh_token, c);
    case Source::oauth_token: return credential(piece, CredentialType::oauth1, cr.oauth_token, c);
    case Source::oauth_token_secret:
      return credential(piece, CredentialType::oauth1, cr.oauth_token_secret, c);
    case Source::api_key: return credential(piece, CredentialType::api_key, cr.api_key, c);
    case Source::username: return credential(piece, CredentialType::basic, cr.username, c);
    case Source::password: return credential(piece, CredentialType::basic, cr.password, c);
    case Source::basic_auth_encoded: return basic_auth_encoded(piece, c);
    case Source::oauth_client_id:
      return from_integration(piece, c.integration.oauth_client_id, c);
    case Source::oauth_client_secret:
      return from_integration(piece, c.integration.oauth_client_secret, c);
    case Source::app_api_key: return from_integration(piece, c.integration.app_api_key, c);
    case Source::raw: return scalar(piece, member(cr.raw, piece.text));
    case Source::connection_config: return scalar(piece, member(c.connection_config, piece.text));
    case Source::metadata: return scalar(piece, member(c.metadata, piece.text));
  }
  return placeholder_error(written_name(piece), "is unknown");
}

// Connection data may read only what the connection itself holds and shows: its
// connectionConfig and metadata. Never a credential or the integration's secrets.
Status check_scope(const Template::Piece& piece, const std::string& name, Scope scope) {
  if (scope == Scope::integration_templates) return ok();
  if (piece.source == Source::connection_config || piece.source == Source::metadata) return ok();
  return placeholder_error(name,
                           "is not allowed here: endpoints, Nango-Proxy-* headers and action "
                           "requests may only use ${connectionConfig.KEY} and ${metadata.KEY}");
}

void append_literal(std::vector<Template::Piece>& pieces, std::string_view text) {
  if (text.empty()) return;
  if (!pieces.empty() && pieces.back().source == Source::literal) {
    pieces.back().text.append(text);
  } else {
    pieces.push_back({Source::literal, std::string(text)});
  }
}

}  // namespace

Result<Template> Template::compile(std::string_view s, Mode mode, Scope scope) {
  Template out;
  out.mode_ = mode;
  std::size_t literal_start = 0;
  auto flush_literal = [&](std::size_t end) {
    append_literal(out.pieces_, s.substr(literal_start, end - literal_start));
  };
  for (std::size_t i = 0; i < s.size();) {
    // One '$' before an opener escapes it: the opener stays as literal text.
    if (s[i] == '$') {
      if (std::size_t len = opener_at(s, i + 1, mode); len > 0) {
        flush_literal(i);
        append_literal(out.pieces_, s.substr(i + 1, len));
        i += 1 + len;
        literal_start = i;
        continue;
      }
    }
    std::size_t len = opener_at(s, i, mode);
    if (len == 0) {
      ++i;
      continue;
    }
    auto [close, close_len] = find_closer(s, i + len, mode);
    if (close == std::string_view::npos) {
      return placeholder_error(s.substr(i + len), "is not closed by '}'");
    }
    auto name = placeholder_name(s.substr(i + len, close - i - len), mode);
    if (!name) return std::move(name).error();
    auto piece = classify(*name);
    if (!piece) return std::move(piece).error();
    if (auto allowed = check_scope(*piece, *name, scope); !allowed) return allowed.error();
    flush_literal(i);
    if (!out.sources_.empty()) out.sources_ += ", ";
    out.sources_ += "${" + shown(*name) + "}";
    out.pieces_.push_back(std::move(*piece));
    ++out.placeholder_count_;
    i = close + close_len;
    literal_start = i;
  }
  flush_literal(s.size());
  return out;
}

Result<std::string> Template::render(const PlaceholderContext& context) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.source == Source::literal) {
      out += piece.text;
      continue;
    }
    auto value = resolve(piece, context);
    if (!value) return std::move(value).error();
    out += mode_ == Mode::path ? percent_encode(*value) : *value;
  }
  return out;
}

Result<std::string> interpolate(std::string_view text, const PlaceholderContext& context,
                                Scope scope) {
  auto compiled = Template::compile(text, Template::Mode::text, scope);
  if (!compiled) return std::move(compiled).error();
  return compiled->render(context);
}

Result<std::string> interpolate_path(std::string_view path, const PlaceholderContext& context,
                                     Scope scope) {
  auto compiled = Template::compile(path, Template::Mode::path, scope);
  if (!compiled) return std::move(compiled).error();
  return compiled->render(context);
}

}  // namespace ferry::auth
