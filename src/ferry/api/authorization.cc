#include "ferry/api/authorization.h"

#include <boost/url/parse.hpp>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"

namespace ferry::api {
namespace {

namespace bhttp = http::bhttp;

std::string_view header_value(const bhttp::request_header<>& header, std::string_view name) {
  auto it = header.find(name);
  if (it == header.end()) return {};
  return {it->value().data(), it->value().size()};
}

bool may_change_state(bhttp::verb method) {
  return method != bhttp::verb::get && method != bhttp::verb::head &&
         method != bhttp::verb::options;
}

// "scheme://host[:port]" of an absolute URL, lower-cased; empty when it is not one.
std::string origin_of(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority()) return {};
  return to_lower(std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_host_and_port()));
}

}  // namespace

Status check_not_cross_site(const bhttp::request_header<>& header, const Services& services) {
  const std::string_view fetch_site = header_value(header, "Sec-Fetch-Site");
  if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none") {
    return Error{Errc::forbidden, "a cross-site request may not change anything (Sec-Fetch-Site: " +
                                      std::string(fetch_site.substr(0, 32)) + ")"};
  }
  const std::string_view origin = header_value(header, "Origin");
  if (origin.empty()) return ok();
  const std::string presented = to_lower(std::string(origin));
  const std::string host = to_lower(std::string(header_value(header, "Host")));
  if (presented == origin_of(services.project->server.server_root_url) ||
      (!host.empty() && (presented == "http://" + host || presented == "https://" + host))) {
    return ok();
  }
  return Error{Errc::forbidden, "a request from another origin may not change anything"};
}


Status check_secret_key(std::string_view authorization, const std::string& secret_key) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.empty()) {
    return Error{Errc::unauthorized,
                 "missing Authorization header; expected \"Bearer <secret_key>\""};
  }
  std::string_view presented = starts_with_icase(authorization, kScheme)
                                   ? trim(authorization.substr(kScheme.size()))
                                   : std::string_view();
  if (!constant_time_equals(presented, secret_key)) {
    return Error{Errc::unauthorized, "the secret key is not valid"};
  }
  return ok();
}

Result<DashboardSession> dashboard_session_of(const bhttp::request_header<>& header,
                                              const Services& services) {
  if (!services.dashboard_sessions) {
    return Error{Errc::unauthorized, "the dashboard is not enabled on this server"};
  }
  std::optional<std::string_view> cookie;
  auto [first, last] = header.equal_range(bhttp::field::cookie);
  for (auto it = first; it != last && !cookie; ++it) {
    cookie = cookie_value({it->value().data(), it->value().size()}, kDashboardCookie);
  }
  if (!cookie) return Error{Errc::unauthorized, "not signed in to the dashboard"};
  return services.dashboard_sessions->verify(*cookie);
}

Status check_backend_access(const bhttp::request_header<>& header, const Services& services) {
  const std::string_view authorization = header_value(header, "Authorization");
  const bool has_cookie = header.find(bhttp::field::cookie) != header.end();
  if (!authorization.empty() || !services.dashboard_sessions || !has_cookie) {
    return check_secret_key(authorization, services.project->server.secret_key);
  }
  auto session = dashboard_session_of(header, services);
  if (!session) return std::move(session).error();
  if (!may_change_state(header.method())) return ok();
  // SameSite=Strict already keeps the cookie off cross-site requests in current browsers;
  // these checks do not rely on it.
  if (auto same_site = check_not_cross_site(header, services); !same_site) return same_site;
  if (!constant_time_equals(header_value(header, kCsrfHeader), session->csrf_token)) {
    return Error{Errc::forbidden, "a request that changes something needs the session's " +
                                      std::string(kCsrfHeader) + " header"};
  }
  return ok();
}

http::GuardedHandler require_backend_access(std::shared_ptr<const Services> services,
                                            http::Handler handler) {
  auto guard = [services = std::move(services)](const bhttp::request_header<>& header) {
    return check_backend_access(header, *services);
  };
  return http::GuardedHandler{std::move(guard), std::move(handler)};
}

http::StreamHandler require_secret_key(std::shared_ptr<const Services> services,
                                       http::StreamHandler handler) {
  return [services = std::move(services), handler = std::move(handler)](
             http::StreamContext& ctx)
             -> boost::asio::awaitable<std::optional<http::Response>> {
    auto allowed = check_secret_key(ctx.header("Authorization"),
                                    services->project->server.secret_key);
    if (!allowed) {
      ctx.must_close = !ctx.parser.is_done();
      co_return http::error_response(allowed.error(), ctx.parser.get().version());
    }
    co_return co_await handler(ctx);
  };
}

}  // namespace ferry::api
