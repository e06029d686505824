#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/store/credentials.h"

namespace ferry::auth {

// What placeholders are resolved against: one connection (its typed credentials,
// `connection_config` and `metadata`) and its integration. Borrows everything; the
// referents must outlive the render() call.
struct PlaceholderContext {
  const store::Credentials& credentials;
  const nlohmann::json& connection_config;
  const nlohmann::json& metadata;
  const config::Integration& integration;
};

// A text with `${name}` placeholders (DESIGN.md §1, "Placeholders"), parsed once and
// rendered for any number of connections: the integration's header and param templates
// are compiled at start, so the hot path only concatenates. Immutable; thread-safe.
//
// Names:
//   ${access_token} ${refresh_token}                  OAUTH2 credentials
//   ${oauth_token} ${oauth_token_secret}              OAUTH1 credentials
//   ${api_key}                                        API_KEY credentials
//   ${username} ${password}                           BASIC credentials
//   ${basic_auth_encoded}  base64 of "username:password" (BASIC) or "api_key:" (API_KEY)
//   ${oauth_client_id} ${oauth_client_secret} ${app_api_key}     the integration
//   ${raw.KEY}               top-level KEY of credentials.raw (the token response)
//   ${connectionConfig.KEY}  top-level KEY of the connection's connection_config
//   ${metadata.KEY}          top-level KEY of the connection's metadata
// KEY is everything after the first '.', taken literally (no nested lookup). A string value
// is inserted as is; a number or boolean as its JSON text; null, an object or an array
// counts as no value. `$${` is a literal `${` (the second '$' escapes); a '$' not followed
// by '{' is literal.
//
// Scopes (DESIGN.md §3): where a template comes from decides what it may read.
//   integration_templates  written by the operator (integrations.yaml, blueprints): the
//                          integration's requests.headers / requests.params, its
//                          authorization_url. Every name above.
//   connection_data        written by a caller or a script: proxy and action endpoints,
//                          Nango-Proxy-* header values, an action's request headers. Only
//                          ${connectionConfig.KEY} and ${metadata.KEY}; a credential or a
//                          client secret there is refused at compile time, so it can never be
//                          sent where a caller chose to send it.
//
// Path mode is for a proxy endpoint that is still percent-encoded: each substituted value
// is percent-encoded so that only RFC 3986 unreserved characters stay raw (a value "a/b"
// becomes the one segment "a%2Fb" and can never add segments, a query or a fragment).
// Because SDKs percent-encode braces in paths, a placeholder may also be written
// `$%7Bname%7D` or `%24%7Bname%7D` (hex in any case; '}' or %7D closes any form), and its
// name is percent-decoded before lookup; escaping is again one '$' before the opener
// (`$$%7B` stays `$%7B`). The result still goes through the proxy's URL guard, which
// rejects for instance a value of "..".
class Template {
 public:
  enum class Mode { text, path };
  enum class Scope { integration_templates, connection_data };

  // Errc::invalid_argument naming the placeholder (never a value) when a name is unknown
  // (with a "did you mean" hint), empty, holds a nested `${`, has invalid
  // percent-encoding (path mode), is not closed by '}', or is not allowed in `scope`
  // (anything but connectionConfig.* and metadata.* in Scope::connection_data).
  static Result<Template> compile(std::string_view text, Mode mode, Scope scope);

  // The text with every placeholder replaced. Errc::invalid_argument naming the
  // placeholder, never its value, when it has no value for this connection (${api_key} on
  // an OAUTH2 connection, a missing connectionConfig key, an integration without
  // oauth_client_id).
  Result<std::string> render(const PlaceholderContext& context) const;

  bool has_placeholders() const { return placeholder_count_ > 0; }
  // The placeholders used, as written in messages: "${api_key}, ${metadata.site}"; "" when
  // there are none. Tells where a rendered value came from without showing it.
  const std::string& sources() const { return sources_; }

  // What a template is made of: literal text, or where one value comes from.
  enum class Source {
    literal,
    access_token,
    refresh_token,
    oauth_token,
    oauth_token_secret,
    api_key,
    username,
    password,
    basic_auth_encoded,
    oauth_client_id,
    oauth_client_secret,
    app_api_key,
    raw,
    connection_config,
    metadata,
  };
  struct Piece {
    Source source = Source::literal;
    std::string text;  // the literal text, or the KEY of raw / connectionConfig / metadata
  };

 private:
  Mode mode_ = Mode::text;
  std::vector<Piece> pieces_;
  std::size_t placeholder_count_ = 0;
  std::string sources_;
};

// Template::compile(text, text mode, scope) rendered once: for values used a single time.
Result<std::string> interpolate(std::string_view text, const PlaceholderContext& context,
                                Template::Scope scope);
// The same in path mode.
Result<std::string> interpolate_path(std::string_view path, const PlaceholderContext& context,
                                     Template::Scope scope);

}  // namespace ferry::auth
