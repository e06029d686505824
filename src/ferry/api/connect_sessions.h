#pragma once

#include <chrono>
#include <string>

#include "ferry/api/services.h"
#include "ferry/core/result.h"
#include "ferry/http/server/router.h"
#include "ferry/store/types.h"

namespace ferry::api {

// Connect sessions (SHAPES.md §6, DESIGN.md §4 binding): the backend asks for a short-lived
// token with its secret key and hands it to its frontend, which can then run ONE connect flow
// (connect_session_token=… instead of the public key) for the end user the backend named,
// possibly only for some integrations and a connection id the backend fixed.

inline constexpr std::chrono::minutes kConnectSessionLifetime{30};
inline constexpr std::string_view kConnectSessionPrefix = "ferry_connect_session_";

// Behind the secret key (bodies: connect_session_request.h):
// POST /connect/sessions: a session whose flow may create a connection (never replace one).
// POST /connect/sessions/reconnect: a session bound to the existing connection
//   (integration_id, connection_id), whose flow may re-authorise it; 404 when it does not
//   exist.
// Both answer 201 {data: {token, connect_link, expires_at}}; 400 for a malformed body (the
// message names the field), an unknown field or an unknown integration.
void register_connect_sessions(http::Router& router, std::shared_ptr<const Services> services);

// The lower-case hex SHA-256 under which a token is stored.
std::string connect_session_hash(std::string_view token);

// The live, unused session of `token`. Errc::unauthorized when the token is empty, unknown
// or expired, Errc::conflict when a flow already used it (messages say which); the store's
// own errors otherwise.
Result<store::ConnectSession> find_connect_session(const Services& services,
                                                   const std::string& token);

// The store's errors about a connect session (find_connect_session, use_connect_session)
// in the words the browser sees, as find_connect_session documents.
Error connect_session_error(const Error& error);

// True when `session` may connect `integration` (an empty allow-list allows all).
bool allows_integration(const store::ConnectSession& session, const std::string& integration);

}  // namespace ferry::api
