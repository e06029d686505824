#pragma once

#include "ferry/api/dashboard_sessions.h"
#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Checks an `Authorization` header value against the secret key: ok() for
// "Bearer <secret_key>", else Errc::unauthorized saying what was wrong. The comparison takes
// the same time wherever the keys differ.
Status check_secret_key(std::string_view authorization, const std::string& secret_key);

// Who may call a backend route, decided on the request header alone:
//   - `Authorization: Bearer <secret_key>` (an Authorization header is always checked as
//     such, whatever cookie comes with it), or
//   - the dashboard's session cookie, when `services.dashboard_sessions` is set. A request
//     that may change state (any method but GET, HEAD and OPTIONS) must then also be
//     same-origin: the session's CSRF token in X-Ferry-CSRF, and no Origin or
//     Sec-Fetch-Site header saying it came from another site (Errc::forbidden).
// unauthorized when neither proves anything.
Status check_backend_access(const http::bhttp::request_header<>& header, const Services& services);

// ok() unless the request says it comes from another site: a Sec-Fetch-Site other than
// same-origin or none, or an Origin that is neither server_root_url's nor the Host's.
// Errc::forbidden then. (Requests without those headers, e.g. from curl, pass.)
Status check_not_cross_site(const http::bhttp::request_header<>& header, const Services& services);

// The dashboard session the request's cookie proves, or unauthorized.
Result<DashboardSession> dashboard_session_of(const http::bhttp::request_header<>& header,
                                              const Services& services);

// A backend handler that runs only for a request check_backend_access() admits. The check
// runs on the header, before the body is read: a refused request gets 401 (or 403)
// {"error":{"code":...}}, its body stays unread and the handler is not called.
http::GuardedHandler require_backend_access(std::shared_ptr<const Services> services,
                                            http::Handler handler);

// A streaming route for `Authorization: Bearer <secret_key>` only (the proxy: the dashboard
// never needs it, so its session cookie cannot reach a provider). The body of a rejected
// request is left unread, so the connection is closed after the 401.
http::StreamHandler require_secret_key(std::shared_ptr<const Services> services,
                                       http::StreamHandler handler);

}  // namespace ferry::api
