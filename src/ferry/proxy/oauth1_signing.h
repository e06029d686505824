#pragma once

#include <optional>
#include <string_view>

#include "ferry/auth/oauth1/signature.h"
#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/http/client/outbound_request.h"
#include "ferry/store/credentials.h"

namespace ferry::proxy {

// Signs the upstream requests of one call on an OAUTH1 connection (RFC 5849 §3.5.1): an
// Authorization header computed over the request's method, URL, query and form body with
// the integration's consumer credentials and the connection's token. A copyable value; each
// sign() draws a fresh nonce and timestamp, so every attempt carries its own signature.
class OAuth1Signer {
 public:
  // The signer for a call, or nullopt when requests go as built: the credentials are not
  // OAUTH1, or the integration writes its own authorization header (Trello's documented
  // "OAuth oauth_consumer_key=…, oauth_token=…" form).
  static std::optional<OAuth1Signer> for_call(const config::Integration& integration,
                                              const store::Credentials& credentials);

  // Whether `request` has an application/x-www-form-urlencoded body, whose parameters
  // are signed too (then set_form_body() must be given it).
  static bool has_form_body(const http::OutboundRequest& request);

  // The body's parameters, for a request with a form body. Errc::invalid_argument when
  // `body` is not form-encoded.
  Status set_form_body(std::string_view body);

  // Sets `request`'s Authorization header (replacing any) to a new signature.
  // Errc::invalid_argument when the request's URL cannot be signed.
  Status sign(http::OutboundRequest& request) const;

 private:
  OAuth1Signer() = default;
  auth::oauth1::Credentials credentials_;
  auth::oauth1::SignatureMethod method_ = auth::oauth1::SignatureMethod::hmac_sha1;
  auth::oauth1::Parameters form_parameters_;
};

}  // namespace ferry::proxy
