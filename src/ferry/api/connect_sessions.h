#pragma once

#include <chrono>
#include <string>

#include "ferry/api/services.h"
#include "ferry/core/result.h"
#include "ferry/http/server/router.h"
#include "ferry/store/types.h"

namespace ferry::api {

// Connect sessions (SHAPES.md §6): the backend asks for a short-lived token with its secret
// key and hands it to its frontend, which can then run connect flows
// (connect_session_token=… instead of the public key), possibly only for some integrations.

inline constexpr std::chrono::minutes kConnectSessionLifetime{30};
inline constexpr std::string_view kConnectSessionPrefix = "ferry_connect_session_";

// POST /connect/sessions behind the secret key. Body: {end_user: {id, email?,
// display_name?, tags?} (optional only when top-level tags are given), allowed_integrations?:
// [key...], integrations_config_defaults?: {key: {user_scopes?, authorization_params?,
// connection_config?}}, organization?, tags?, overrides?, webhook_url_override?}.
// Answers 201 {data: {token, connect_link, expires_at}}; 400 for a malformed body or an
// unknown integration in allowed_integrations or integrations_config_defaults.
void register_connect_sessions(http::Router& router, std::shared_ptr<const Services> services);

// The lower-case hex SHA-256 under which a token is stored.
std::string connect_session_hash(std::string_view token);

// The live session of `token`. Errc::unauthorized when the token is empty, unknown or
// expired (the message says which); the store's own errors otherwise.
Result<store::ConnectSession> find_connect_session(const Services& services,
                                                   const std::string& token);

// True when `session` may connect `integration` (an empty allow-list allows all).
bool allows_integration(const store::ConnectSession& session, const std::string& integration);

}  // namespace ferry::api
