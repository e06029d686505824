#include "ferry/api/dashboard_session_routes.h"

#include <charconv>

#include "ferry/api/authorization.h"
#include "ferry/api/client_address.h"
#include "ferry/api/dashboard_sessions.h"
#include "ferry/api/handler_support.h"
#include "ferry/core/clock.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

namespace bhttp = http::bhttp;
using nlohmann::json;

// Credentials longer than this are refused without comparing: no key or password is.
constexpr std::size_t kMaxCredentialBytes = 1024;
// A sign-in body is a few dozen bytes; anyone may send one, so more is refused unread.
constexpr std::uint64_t kMaxSignInBodyBytes = 4096;

// Before the body of an unauthenticated sign-in is read: it must announce a small length.
Status check_sign_in_size(const bhttp::request_header<>& header) {
  auto length = header.find(bhttp::field::content_length);
  std::uint64_t bytes = 0;
  if (length == header.end() ||
      std::from_chars(length->value().data(), length->value().data() + length->value().size(),
                      bytes)
              .ec != std::errc()) {
    return Error{Errc::invalid_argument, "a sign-in needs a body with a Content-Length"};
  }
  if (bytes > kMaxSignInBodyBytes) {
    return Error{Errc::payload_too_large, "a sign-in body is at most " +
                                              std::to_string(kMaxSignInBodyBytes) + " bytes"};
  }
  return ok();
}

// The cookie attributes: readable by no script, sent on no cross-site request, and over TLS
// only when the server is reached over TLS.
std::string cookie_header(const Services& services, std::string_view value,
                          std::chrono::seconds max_age) {
  std::string cookie = std::string(kDashboardCookie) + "=" + std::string(value) +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(std::max<std::int64_t>(max_age.count(), 0));
  if (services.project->server.server_root_url.starts_with("https://")) cookie += "; Secure";
  return cookie;
}

json session_view(const Services& services, const DashboardSession& session) {
  return json{{"csrf_token", session.csrf_token},
              {"expires_at", format_iso8601(session.expires_at)},
              {"server_root_url", services.project->server.server_root_url},
              {"callback_url", services.project->callback_url()}};
}

// Every answer about the session is private to the browser that asked.
http::Response no_store(http::Response response) {
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

http::Response sign_in(const Services& services, http::RequestContext& ctx) {
  if (!services.dashboard_sessions) {
    return fail(ctx, Errc::not_found, "the dashboard is not enabled on this server");
  }
  if (auto same_site = check_not_cross_site(ctx.request.base(), services); !same_site) {
    return fail(ctx, same_site.error());
  }
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  const json& credential = body->is_object() ? body->value("credential", json()) : json();
  if (!credential.is_string() || credential.get_ref<const std::string&>().empty()) {
    return fail(ctx, Errc::invalid_argument,
                "expected {\"credential\": \"<the secret key or the admin password>\"}");
  }
  const std::string& presented = credential.get_ref<const std::string&>();
  if (presented.size() > kMaxCredentialBytes) {
    return fail(ctx, Errc::unauthorized, "that is not a valid credential");
  }
  auto issued = services.dashboard_sessions->sign_in(presented, client_key(ctx.remote_address));
  if (!issued) return fail(ctx, issued.error());
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(
      issued->session.expires_at - services.clock->now());
  http::Response response = http::json_response(
      http::StatusCode::ok, session_view(services, issued->session), ctx.request.version());
  response.set(bhttp::field::set_cookie, cookie_header(services, issued->cookie_value, lifetime));
  return no_store(std::move(response));
}

http::Response show_session(const Services& services, http::RequestContext& ctx) {
  auto session = dashboard_session_of(ctx.request.base(), services);
  if (!session) return no_store(fail(ctx, session.error()));
  return no_store(http::json_response(http::StatusCode::ok, session_view(services, *session),
                                      ctx.request.version()));
}

http::Response sign_out(const Services& services, http::RequestContext& ctx) {
  auto session = dashboard_session_of(ctx.request.base(), services);
  if (!session) return fail(ctx, session.error());
  services.dashboard_sessions->revoke(*session);
  http::Response response{http::StatusCode::no_content, ctx.request.version()};
  response.set(bhttp::field::set_cookie, cookie_header(services, "", std::chrono::seconds(0)));
  response.prepare_payload();
  return no_store(std::move(response));
}

}  // namespace

void register_dashboard_session(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::post, "/dashboard/api/session",
             http::GuardedHandler{check_sign_in_size, make_handler(services, sign_in)});
  router.add(http::Verb::get, "/dashboard/api/session", make_handler(services, show_session));
  // Signing out changes state: the guard asks for the session's cookie and CSRF token.
  auto guard = [services](const bhttp::request_header<>& header) -> Status {
    if (auto session = dashboard_session_of(header, *services); !session) {
      return std::move(session).error();
    }
    return check_backend_access(header, *services);
  };
  router.add(http::Verb::delete_, "/dashboard/api/session",
             http::GuardedHandler{std::move(guard), make_handler(services, sign_out)});
}

}  // namespace ferry::api
