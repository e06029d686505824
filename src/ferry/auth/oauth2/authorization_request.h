#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/config/model.h"
#include "ferry/core/result.h"

namespace ferry::auth::oauth2 {

// What one authorization request adds to the integration's configuration.
struct AuthorizationInputs {
  std::string redirect_uri;    // Ferry's callback URL, sent again at the code exchange
  std::string state;           // the flow's single-use state
  std::string code_challenge;  // RFC 7636 S256 challenge; empty without PKCE
  std::string user_scope;      // optional `user_scope` parameter (e.g. Slack user scopes)
  // Added after the integration's authorization_params, replacing equal names (connect
  // session defaults).
  std::map<std::string, std::string> extra_params;
  // Resolves ${connectionConfig.KEY} in authorization_url (connect-time params).
  nlohmann::json connection_config = nlohmann::json::object();
};

// The provider URL the browser is sent to (RFC 6749 §4.1.1): the integration's
// authorization_url (placeholders resolved, its own query kept) plus, in this order,
// client_id, redirect_uri, response_type=code, scope (oauth_scopes joined by
// scope_separator; omitted when there are none), state, user_scope when given, the
// integration's authorization_params, `extra_params`, and code_challenge with
// code_challenge_method=S256 when a challenge is given. A later parameter replaces an
// earlier one of the same name. Values are percent-encoded so that only RFC 3986
// unreserved characters stay raw (a space is %20, as Atlassian expects). Pure.
//
// Errc::invalid_argument naming the placeholder when authorization_url uses a
// ${connectionConfig.KEY} that `connection_config` lacks; Errc::config_invalid when the
// integration has no authorization_url or it is not an absolute http(s) URL.
Result<std::string> build_authorization_url(const config::Integration& integration,
                                            const AuthorizationInputs& inputs);

}  // namespace ferry::auth::oauth2
