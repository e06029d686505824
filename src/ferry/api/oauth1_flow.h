#pragma once

#include <boost/asio/awaitable.hpp>

#include "ferry/api/oauth_outcome.h"
#include "ferry/config/model.h"
#include "ferry/store/types.h"

namespace ferry::api {

// The browser-facing legs of OAuth 1.0a (RFC 5849 §2), on the routes and with the same
// state, connect-session, websocket and page contracts as OAuth 2 (oauth.h).
//
// Start (GET /oauth/connect/{integration} of an OAUTH1 integration, after the checks every
// flow gets): the flow's state is stored first, in the transaction that uses up its
// connect session and applies the client's pending-flow cap, so a refused start never
// reaches the provider. Then the provider's request-token endpoint is asked for temporary
// credentials with oauth_callback = <callback URL>?state=<state> (502/424 when it fails);
// they are kept in a second single-use row of the same lifetime, and the browser is sent
// (302) to the authorization URL with oauth_token.
//
// Callback (GET /oauth/callback?state=…&oauth_token=…&oauth_verifier=…): the temporary
// credentials are taken with the state (each works once); a `denied` parameter (the user
// refused) fails the flow, as do a missing verifier and an oauth_token other than the one
// the flow was given (400 callback_err). The verifier is exchanged at the access-token
// endpoint (424 when refused, 502 when it fails) and the token credentials stored as the
// connection's OAUTH1 credentials, with the same create-or-overwrite rule as OAuth 2.
boost::asio::awaitable<http::Response> start_oauth1_authorization(
    const Services& services, const config::Integration& integration, const FlowOutcome& outcome,
    const FlowBinding& binding, const store::StateAdmission& admission);

boost::asio::awaitable<http::Response> finish_oauth1_authorization(
    const Services& services, const config::Integration& integration, const FlowOutcome& outcome,
    const store::OAuthSession& session);

}  // namespace ferry::api
