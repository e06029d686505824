#pragma once

#include <nlohmann/json.hpp>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/store/credentials.h"

namespace ferry::auth {

// Checks credentials submitted for an integration (POST /connections) against its auth mode
// and returns them typed. The submitted forms are those of store::credentials_to_json, plus
// "apiKey" (the SDK's spelling of api_key) and the type name "USERNAME_PASSWORD" for BASIC.
// `raw` defaults to the submitted object. Errc::invalid_argument naming the field
// ("credentials.access_token is required for OAUTH2 integrations") when a field is missing or
// of the wrong type, or when `type` differs from the integration's auth mode.
Result<store::Credentials> normalize_credentials(const config::Integration& integration,
                                                 const nlohmann::json& submitted);

// The credentials as the API shows them (ApiPublicConnectionFull.credentials): API_KEY gains
// the SDK's "apiKey"; OAUTH2 loses refresh_token (also inside raw) unless
// `include_refresh_token`.
nlohmann::json public_credentials(const store::Credentials& credentials,
                                  bool include_refresh_token);

}  // namespace ferry::auth
