#pragma once

#include <string_view>

namespace ferry::observe {

// Where a name was seen, because some names are secrets only in some places: `code` is an
// OAuth authorization code in a query string but Ferry's own error code in a JSON body;
// `key=` is an API key in a query string but a Jira issue key in JSON.
enum class NamePlace {
  json_key,      // "name": value
  form_or_query, // name=value, name: value (headers)
  path_segment,  // /name/value
};

// Whether the value that follows `name` must never be shown. Case-insensitive; '_' and
// '-' are ignored, so `access_token`, `accessToken` and `Access-Token` are one name.
// Recognises the OAuth and credential fields (access_token, refresh_token, client_secret,
// password, api_key, code_verifier, ...), header-style names (`X-Api-Key`, `Authorization`,
// `Cookie`) and names ending in secret, password, api key, private key or an auth-token word.
// Names longer than 64 bytes are never secret names (keeps scanning linear).
bool is_secret_name(std::string_view name, NamePlace place);

// Headers whose whole value (to the end of the line) is a credential, whatever its shape:
// Authorization, Proxy-Authorization, Cookie, Set-Cookie.
bool is_credential_header(std::string_view name);

}  // namespace ferry::observe
