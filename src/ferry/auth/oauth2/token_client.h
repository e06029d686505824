#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/http/client/fetch.h"
#include "ferry/store/credentials.h"

namespace ferry::http {
class Exchange;
}

namespace ferry::auth::oauth2 {

// The longest token lifetime Ferry believes: a larger expires_in (some providers send
// "never" as a huge number) is clamped to it, so expiry arithmetic never overflows.
inline constexpr std::chrono::seconds kMaxTokenLifetime{std::chrono::hours(24 * 366 * 10)};

// What a token endpoint granted (RFC 6749 §5.1).
struct TokenGrant {
  std::string access_token;
  std::string refresh_token;           // empty when none was issued
  std::optional<TimePoint> expires_at; // now + expires_in; none when the provider gave none
  nlohmann::json raw;                  // the whole token response, as received
  TimePoint issued_at{};               // when the response arrived
};

// The host of an endpoint URL, for messages ("the token endpoint" when it has none).
std::string host_of(const std::string& url);

// What an OAuth endpoint said in an error answer (RFC 6749 §5.2 {"error", "error_description"},
// else the start of the body), at most 200 bytes.
std::string provider_message(const nlohmann::json& body, std::string_view text);

// A POST of `params` to `url` (a token or revocation endpoint) authenticated as the
// integration's client: client_id and client_secret in the body, or HTTP Basic when its
// authorization_method is header (RFC 6749 §2.3.1), in `format`, with its timeout.
http::FetchRequest client_post(const config::Integration& integration, const std::string& url,
                               std::map<std::string, std::string> params,
                               config::BodyFormat format);

// Calls the integration's token endpoint with `grant` (the grant-specific parameters, e.g.
// {"grant_type":"refresh_token","refresh_token":...}) plus its token_params, sending the
// client credentials as the integration says (authorization_method body|header, RFC 6749
// §2.3.1) in its body format (form|json). `url` is token_url or refresh_url. Suspends.
//
// Errors, each naming the provider's host and never a secret:
//   Errc::upstream_auth_failed  the endpoint answered 4xx (invalid_grant, invalid_client,
//                               access_denied...); the message carries the provider's
//                               `error` and `error_description`
//   Errc::upstream_unreachable  it could not be reached, answered 5xx or something that is
//                               not a JSON object, had no access_token, or an expires_in that
//                               is not a number
//   Errc::upstream_timeout      it did not answer in time
Result<TokenGrant> parse_token_response(int status, std::string_view body, std::string_view host,
                                        TimePoint now);
boost::asio::awaitable<Result<TokenGrant>> request_token(
    http::Exchange& exchange, const config::Integration& integration, const std::string& url,
    std::map<std::string, std::string> grant, TimePoint now);

// RFC 6749 §4.1.3: the authorization code for tokens. `code_verifier` empty without PKCE.
boost::asio::awaitable<Result<TokenGrant>> exchange_code(http::Exchange& exchange,
                                                         const config::Integration& integration,
                                                         const std::string& code,
                                                         const std::string& redirect_uri,
                                                         const std::string& code_verifier,
                                                         TimePoint now);

// RFC 6749 §6: new tokens for a refresh token. Atlassian rotates refresh tokens: the grant
// carries a new one that must replace the old before anything else uses the connection.
boost::asio::awaitable<Result<TokenGrant>> refresh_tokens(http::Exchange& exchange,
                                                          const config::Integration& integration,
                                                          const std::string& refresh_token,
                                                          TimePoint now);

// RFC 6749 §4.4: tokens for the client itself (grant_type: client_credentials).
boost::asio::awaitable<Result<TokenGrant>> client_credentials_tokens(
    http::Exchange& exchange, const config::Integration& integration, TimePoint now);

// The OAUTH2 credentials for a grant. A grant without a refresh token keeps
// `previous_refresh_token` (providers that do not rotate send none on refresh).
store::Credentials stored_credentials(const TokenGrant& grant,
                                      const std::string& previous_refresh_token = "");

}  // namespace ferry::auth::oauth2
