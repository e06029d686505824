#pragma once

#include <nlohmann/json.hpp>

#include "ferry/config/model.h"
#include "ferry/core/result.h"

namespace ferry::auth {

// Checks credentials submitted for an integration (POST /connections) against its auth mode
// and returns them in the stored form:
//   OAUTH2   {type, access_token, refresh_token?, expires_at? (ISO 8601), raw}
//   OAUTH1   {type, oauth_token, oauth_token_secret, raw}
//   API_KEY  {type, api_key}            ("apiKey", the SDK's spelling, is accepted too)
//   BASIC    {type, username, password} ("USERNAME_PASSWORD" is accepted as the type)
//   NONE     {type}
// `raw` defaults to the submitted object. Errc::invalid_argument naming the field
// ("credentials.access_token is required for OAUTH2 integrations") when a field is missing or
// of the wrong type, or when `type` differs from the integration's auth mode.
Result<nlohmann::json> normalize_credentials(const config::Integration& integration,
                                             const nlohmann::json& submitted);

// The credentials as the API shows them (ApiPublicConnectionFull.credentials): API_KEY gains
// the SDK's "apiKey"; OAUTH2 loses refresh_token (also inside raw) unless
// `include_refresh_token`.
nlohmann::json public_credentials(const nlohmann::json& stored, bool include_refresh_token);

}  // namespace ferry::auth
