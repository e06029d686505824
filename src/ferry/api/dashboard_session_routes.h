#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Signing in and out of the dashboard (Services::dashboard_sessions):
//   POST   /dashboard/api/session {"credential": "<secret key or admin password>"}
//          200 {"csrf_token", "expires_at"} and the session cookie; 401 wrong; 429 after too
//          many failures from one address; 403 from another site.
//   GET    /dashboard/api/session  200 {"csrf_token", "expires_at", "server_root_url",
//          "callback_url"} for a signed-in browser, else 401.
//   DELETE /dashboard/api/session  204; the session is revoked and the cookie cleared
//          (same-origin, with the CSRF token, like every state-changing request).
void register_dashboard_session(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
