#pragma once

#include <chrono>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"

namespace ferry::webhooks {

// Checks a JSON Web Token (RFC 7519) signed with HMAC-SHA256 under a shared secret (RFC 7515
// §A.1), as Atlassian signs the webhook deliveries of an OAuth 2.0 app with the app's client
// secret (docs/atlassian.md). Pure.
//
// ok() when `token` is three base64url parts, its header a JSON object with "alg": "HS256"
// (any other algorithm, "none" included, is refused), its signature the HMAC-SHA256 of
// "<header>.<claims>" under `secret` (compared in constant time), and its claims a JSON
// object whose time claims, where present, are numbers that hold at `now` within `leeway`:
// exp (not expired) and nbf (already valid); iat is not judged (a sender's clock may run
// ahead). Atlassian does not document which claims it sends, so none is required.
// Errc::unauthorized otherwise, saying which check failed (never echoing the token);
// Errc::invalid_argument when `secret` is empty (nothing can be verified).
Status verify_hs256_jwt(std::string_view token, std::string_view secret, TimePoint now,
                        std::chrono::seconds leeway = std::chrono::seconds(60));

}  // namespace ferry::webhooks
