#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"

namespace ferry::auth::oauth2 {

// Pure decisions about stored OAuth 2 credentials (no clock, no store, no socket): the
// refresher asks them, the unit tests table them.

// What a connection's credentials need before they are used.
enum class Renewal {
  none,                // use them as they are
  refresh_token,       // RFC 6749 §6: trade the refresh token for new tokens
  client_credentials,  // RFC 6749 §4.4: ask for a token as the client itself
};

// The credentials' `expires_at`: nullopt when absent or null (the provider gave no
// expires_in, so the token is taken to live until the upstream says 401), or when it is
// not a parseable ISO 8601 time (see is_due).
std::optional<TimePoint> expires_at(const nlohmann::json& credentials);

// True when the access token is missing or empty, when expires_at is malformed, or when it
// falls at or before `now + margin`. False when expires_at is absent.
bool is_due(const nlohmann::json& credentials, TimePoint now, std::chrono::seconds margin);

// What must happen to `credentials` (a stored credentials object) of a connection of
// `integration` before use at `now`:
//   - integrations that are not OAUTH2, and credentials whose `type` is another mode: none;
//   - grant_type client_credentials: client_credentials when forced or due (a missing
//     access token is due), else none;
//   - authorization_code: refresh_token when forced or due (auth.refresh_margin) AND a
//     refresh token is stored; none otherwise. Expired credentials without a refresh token
//     are used as they are: the upstream will answer 401 and the app must reconnect.
Renewal renewal_needed(const config::Integration& integration, const nlohmann::json& credentials,
                       TimePoint now, bool force);

}  // namespace ferry::auth::oauth2
