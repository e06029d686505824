#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/auth/oauth1/signature.h"
#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/credentials.h"

namespace ferry::http {
class Exchange;
}

namespace ferry::auth::oauth1 {

// The three legs of OAuth 1.0a (RFC 5849 §2) for an integration with auth_mode OAUTH1:
// temporary credentials, the user's authorization, token credentials. Each call to the
// provider is signed with the integration's signature_method (consumer key =
// oauth_client_id, consumer secret = oauth_client_secret).

// What the request-token endpoint granted (RFC 5849 §2.1), kept with the flow's state until
// the callback. The secret signs only the access-token request.
struct TemporaryCredentials {
  std::string token;
  std::string secret;
};

// The flow's secret as one string for the state row, and back. Errc::invalid_argument when
// `packed` is not one.
std::string pack(const TemporaryCredentials& credentials);
Result<TemporaryCredentials> unpack_temporary(std::string_view packed);

// What the access-token endpoint granted (RFC 5849 §2.3): the token credentials and every
// parameter of the answer (user_id, screen_name, ...) as a JSON object of strings.
struct TokenCredentials {
  std::string token;
  std::string secret;
  nlohmann::json raw = nlohmann::json::object();
  TimePoint issued_at{};
};

// The integration's signature method (checked at load; HMAC-SHA1 for anything unknown).
SignatureMethod signature_method_of(const config::Integration& integration);

// RFC 5849 §2.1: asks auth.request_url (auth.request_http_method, auth.request_params in
// the query) for temporary credentials, with oauth_callback = `callback_url`. Suspends.
// Errors, naming the provider's host and never a secret:
//   Errc::upstream_auth_failed  4xx (the consumer key or signature was refused), with the
//                               start of the provider's answer
//   Errc::upstream_unreachable  unreachable, 5xx, no oauth_token/oauth_token_secret, or
//                               oauth_callback_confirmed not "true"
//   Errc::upstream_timeout      no answer in time
boost::asio::awaitable<Result<TemporaryCredentials>> request_temporary_credentials(
    http::Exchange& exchange, const config::Integration& integration,
    const std::string& callback_url);

// What an authorization redirect adds to the integration's configuration.
struct AuthorizationInputs {
  // Added after the integration's authorization_params, replacing equal names (connect
  // session defaults).
  std::map<std::string, std::string> extra_params;
};

// RFC 5849 §2.2: auth.authorization_url (its own query kept) plus oauth_token, `scope`
// (oauth_scopes joined by scope_separator, when there are any: Trello reads it), the
// integration's authorization_params and `inputs.extra_params`; values percent-encoded.
// Errc::config_invalid when authorization_url is not an absolute http(s) URL.
Result<std::string> authorization_url(const config::Integration& integration,
                                      const std::string& temporary_token,
                                      const AuthorizationInputs& inputs);

// RFC 5849 §2.3: exchanges the temporary credentials and the user's `verifier` at
// auth.token_url (auth.token_http_method). Suspends. Errors as for
// request_temporary_credentials().
boost::asio::awaitable<Result<TokenCredentials>> request_token_credentials(
    http::Exchange& exchange, const config::Integration& integration,
    const TemporaryCredentials& temporary, const std::string& verifier, TimePoint now);

// The OAUTH1 credentials for a grant.
store::Credentials stored_credentials(const TokenCredentials& grant);

}  // namespace ferry::auth::oauth1
