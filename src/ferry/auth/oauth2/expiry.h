#pragma once

#include <chrono>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/store/credentials.h"

namespace ferry::auth::oauth2 {

// Pure decisions about stored OAuth 2 credentials (no clock, no store, no socket): the
// refresher asks them, the unit tests table them. The credentials are typed: the expiry
// was parsed once, when the row was read.

// What a connection's credentials need before they are used.
enum class Renewal {
  none,                // use them as they are
  refresh_token,       // RFC 6749 §6: trade the refresh token for new tokens
  client_credentials,  // RFC 6749 §4.4: ask for a token as the client itself
};

// True when the access token is empty, or when expires_at falls at or before
// `now + margin`. False when there is no expires_at (the provider gave no expires_in, so the
// token is taken to live until the upstream says 401).
bool is_due(const store::Credentials& credentials, TimePoint now, std::chrono::seconds margin);

// What must happen to `credentials` of a connection of `integration` before use at `now`:
//   - integrations that are not OAUTH2, and credentials of another type: none;
//   - grant_type client_credentials: client_credentials when forced or due (a missing
//     access token is due), else none;
//   - authorization_code: refresh_token when forced or due (auth.refresh_margin) AND a
//     refresh token is stored; none otherwise. Expired credentials without a refresh token
//     are used as they are: the upstream will answer 401 and the app must reconnect.
Renewal renewal_needed(const config::Integration& integration,
                       const store::Credentials& credentials, TimePoint now, bool force);

}  // namespace ferry::auth::oauth2
