#pragma once

// Token revocation (RFC 7009): telling the provider that a connection's grant is no longer
// wanted, before the connection is deleted.
#include <boost/asio/awaitable.hpp>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/store/credentials.h"

namespace ferry::http {
class Exchange;
}

namespace ferry::auth::oauth2 {

// POSTs the connection's refresh token (token_type_hint=refresh_token), or its access token
// when it has none, to integration.auth.revocation_url as a form, authenticated as the
// client like a token request. RFC 7009 §2.2: the provider answers 200 whether or not the
// token was still valid. ok() then; Errc::invalid_argument when the integration has no
// revocation endpoint or the credentials no token; Errc::upstream_auth_failed for a 4xx
// (with the provider's `error`); Errc::upstream_unreachable for anything else, and fetch()'s
// errors. Messages name the provider's host, never a token. Suspends.
boost::asio::awaitable<Status> revoke_tokens(http::Exchange& exchange,
                                             const config::Integration& integration,
                                             const store::Credentials& credentials);

}  // namespace ferry::auth::oauth2
