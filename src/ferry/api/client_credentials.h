#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Wraps the POST /connections handler for integrations with `grant_type:
// client_credentials`, which need no user: when the body names such an integration and has
// no credentials (or {"type": "OAUTH2_CC"}), Ferry obtains tokens from the token endpoint
// (RFC 6749 §4.4) and hands `inner` the body with credentials {type: OAUTH2, access_token,
// expires_at, raw}, so the stored expires_at tells the refresher when to renew them. Any
// other body reaches `inner` unchanged. A refused token request answers 424, an
// unreachable or unusable token endpoint 502 or 504; `inner` is then not called.
http::Handler with_client_credentials(std::shared_ptr<const Services> services,
                                      http::Handler inner);

}  // namespace ferry::api
