#include "ferry/api/connect_sessions.h"

#include <fmt/format.h>

#include <algorithm>

#include "ferry/api/authorization.h"
#include "ferry/api/connect_session_request.h"
#include "ferry/api/handler_support.h"
#include "ferry/core/crypto.h"
#include "ferry/http/json.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::size_t kTokenBytes = 32;

IntegrationExists integration_exists(const Services& services) {
  return [&services](const std::string& key) {
    return services.project->find_integration(key) != nullptr;
  };
}

// Stores a session for `request` and answers 201 {data: {token, connect_link, expires_at}}.
http::Response issue_session(const Services& services, const http::RequestContext& ctx,
                             ConnectSessionRequest request, bool is_reconnect) {
  const std::string token = std::string(kConnectSessionPrefix) + random_hex(kTokenBytes);
  store::ConnectSession session;
  session.token_hash = connect_session_hash(token);
  session.allowed_integrations = std::move(request.allowed_integrations);
  session.connection_id = std::move(request.connection_id);
  session.is_reconnect = is_reconnect;
  session.request = std::move(request.body);
  session.created_at = services.clock->now();
  session.expires_at = session.created_at + kConnectSessionLifetime;
  if (auto saved = services.store->save_connect_session(session); !saved) {
    return fail(ctx, saved.error());
  }
  const std::string link = services.project->server.server_root_url +
                           "/oauth/connect?connect_session_token=" + token;
  return http::json_response(http::StatusCode::created,
                             {{"data",
                               {{"token", token},
                                {"connect_link", link},
                                {"expires_at", format_iso8601(session.expires_at)}}}},
                             ctx.request.version());
}

http::Response create_session(const Services& services, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  auto request = parse_connect_session(*body, integration_exists(services));
  if (!request) return fail(ctx, request.error());
  return issue_session(services, ctx, std::move(*request), /*is_reconnect=*/false);
}

http::Response create_reconnect_session(const Services& services, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  auto request = parse_reconnect_session(*body, integration_exists(services));
  if (!request) return fail(ctx, request.error());
  // Bound to a connection that exists: a reconnect session never creates one by surprise.
  const store::ConnectionKey key{request->allowed_integrations.front(), request->connection_id};
  if (auto existing = services.store->find_connection(key); !existing) {
    return fail(ctx, existing.error());
  }
  return issue_session(services, ctx, std::move(*request), /*is_reconnect=*/true);
}

}  // namespace

std::string connect_session_hash(std::string_view token) { return hex_encode(sha256(token)); }

Result<store::ConnectSession> find_connect_session(const Services& services,
                                                   const std::string& token) {
  if (token.empty()) return Error{Errc::unauthorized, "the connect session token is empty"};
  auto session = services.store->find_connect_session(connect_session_hash(token));
  if (!session) return connect_session_error(session.error());
  if (session->used_at) {
    return connect_session_error(
        Error{Errc::conflict, "the connect session was already used by a connect flow"});
  }
  return session;
}

Error connect_session_error(const Error& error) {
  switch (error.code) {
    case Errc::not_found:
      return Error{Errc::unauthorized, "the connect session token is not valid"};
    case Errc::invalid_argument:
      return Error{Errc::unauthorized,
                   "the connect session expired; ask the backend for a new one"};
    case Errc::conflict:
      return Error{Errc::conflict,
                   "this connect session token was already used for a connect flow; a token "
                   "serves one flow: ask the backend for a new one"};
    default:
      return error;
  }
}

bool allows_integration(const store::ConnectSession& session, const std::string& integration) {
  const auto& allowed = session.allowed_integrations;
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), integration) != allowed.end();
}

void register_connect_sessions(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::post, "/connect/sessions",
             require_backend_access(services, make_handler(services, create_session)));
  router.add(http::Verb::post, "/connect/sessions/reconnect",
             require_backend_access(services, make_handler(services, create_reconnect_session)));
}

}  // namespace ferry::api
