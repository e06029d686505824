#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/config/model.h"
#include "ferry/core/result.h"

namespace ferry::auth {

// What placeholders are resolved against: one connection (store::Connection's
// `credentials`, `connection_config` and `metadata`, credentials in the stored form of
// credentials.h) and its integration. Borrows everything; the referents must outlive the
// interpolate() call.
struct PlaceholderContext {
  const nlohmann::json& credentials;
  const nlohmann::json& connection_config;
  const nlohmann::json& metadata;
  const config::Integration& integration;
};

// `text` with every `${name}` replaced (DESIGN.md §1, "Placeholders"), for header values,
// query parameters and bodies. Names:
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
// counts as no value. Credential fields must be strings.
// `$${` is a literal `${` (the second '$' escapes). A '$' not followed by '{' is literal.
//
// Errc::invalid_argument naming the placeholder, never its value, when a name is unknown
// (with a "did you mean" hint), has no value for this connection (${api_key} on an OAUTH2
// connection, a missing connectionConfig key, an integration without oauth_client_id), is
// empty, holds a nested `${`, or is not closed by '}'.
Result<std::string> interpolate(std::string_view text, const PlaceholderContext& context);

// Like interpolate(), for a proxy endpoint path that is still percent-encoded. Each
// substituted value is percent-encoded so that only RFC 3986 unreserved characters stay
// raw: a value such as "a/b" becomes one segment "a%2Fb" and can never add segments, a
// query or a fragment. Because SDKs percent-encode braces in paths, a placeholder may also
// be written `$%7Bname%7D` or `%24%7Bname%7D` (hex in any case; '}' or %7D closes any
// form), and its name is percent-decoded before lookup; escaping is again one '$' before
// the opener (`$$%7B` stays `$%7B`). The result still goes through the proxy's URL guard
// (proxy/upstream_target.h), which rejects for instance a value of "..".
Result<std::string> interpolate_path(std::string_view path, const PlaceholderContext& context);

}  // namespace ferry::auth
