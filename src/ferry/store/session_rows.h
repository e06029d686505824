#pragma once

#include <nlohmann/json.hpp>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// The backend-neutral end of reading an OAuth flow's or a connect session's row: each
// backend reads its columns into the struct and parses its JSON columns (parse_json), then
// hands them here to be checked, moved in, and judged against `now`. Both backends thus
// answer a corrupt column and an expired session with the same error. Pure functions.

// Errc::storage_corrupt when a JSON column did not parse; Errc::invalid_argument "OAuth state
// expired..." once expires_at has passed.
Result<OAuthSession> finish_oauth_session(OAuthSession session, Result<nlohmann::json> params,
                                          Result<nlohmann::json> end_user,
                                          Result<nlohmann::json> tags, TimePoint now);

// Errc::storage_corrupt when a JSON column did not parse or the allowed integrations are not
// a list; Errc::invalid_argument "the connect session expired..." once expires_at has passed.
Result<ConnectSession> finish_connect_session(ConnectSession session,
                                              Result<nlohmann::json> allowed,
                                              Result<nlohmann::json> request, TimePoint now);

}  // namespace ferry::store
