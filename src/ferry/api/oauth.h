#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The browser side of OAuth 2 (DESIGN.md §4) and OAuth 1.0a (oauth1_flow.h, which
// follows the same contracts), no secret key (they run in the user's popup):
//
// GET /oauth/connect/{integration}?connection_id=…&public_key=…  (or connect_session_token=…;
//     optional ws_client_id, user_scope, params[NAME]=VALUE, origin)
//   Checks the origin (400 invalid_origin unless an http(s) origin: flow_origin.h), the
//   public key or the connect session (401 when missing, wrong, unknown or expired, 409
//   connect_session_used when a flow already used it, 403 when it does not allow the
//   integration), the integration (404 when unknown, 400 when it is neither OAUTH2 nor
//   OAUTH1), then binds the flow (connect_binding.h: 400 connection_id_not_allowed /
//   param_not_allowed) and checks
//   its connection (409 connection_already_exists when a flow that may only create finds one;
//   404 unknown_connection when a reconnect session's connection is gone). Then, in one
//   store transaction, uses the session up, checks the client's pending flows (429 past
//   max_pending_oauth_flows_per_client) and stores a single-use state (10 min; with the PKCE
//   verifier, the origin, the client and the binding), and answers 302 to the provider's
//   authorize URL. A refused start uses nothing up. params become the connection's
//   connection_config (and the post-connection steps' input, e.g. params[subdomain]). A
//   `grant_type: client_credentials` integration needs no user: its tokens are fetched right
//   away and the answer is the callback page.
// GET /oauth/connect?connect_session_token=…
//   The connect_link of a connect session: redirects to the one integration the session
//   allows, or lists the integrations it allows (passing the opener's origin on).
// GET /oauth/callback?code=…&state=… (or error=…&error_description=…&state=…)
//   Takes the state (400 when missing, unknown, expired or already used), exchanges the code
//   (424 when the provider refuses it, 502 when the token endpoint fails or answers
//   something unusable), stores the connection (a reconnect session's flow replaces the
//   credentials; any other flow only creates, and ends in 409 connection_already_exists when
//   the connection appeared meanwhile, leaving it unchanged), runs the post-connection steps
//   and answers the callback page, which posts to the flow's origin.
//
// Every outcome is also sent to the flow's websocket client and written to the activity
// log; see connect_result.h for the page and the JSON form of errors.
void register_oauth(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
