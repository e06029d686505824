#include "ferry/api/connect_sessions.h"

#include <fmt/format.h>

#include <algorithm>

#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/core/crypto.h"
#include "ferry/http/json.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::size_t kTokenBytes = 32;

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

Status check_end_user(const json& body) {
  auto it = body.find("end_user");
  if (it == body.end() || it->is_null()) {
    // Nango: end_user may be left out only when the session is identified by tags.
    if (body.contains("tags") && body["tags"].is_object() && !body["tags"].empty()) return ok();
    return bad("\"end_user\" is required: an object with a non-empty string \"id\"");
  }
  if (!it->is_object() || !it->contains("id") || !(*it)["id"].is_string() ||
      (*it)["id"].get<std::string>().empty()) {
    return bad("\"end_user\" must be an object with a non-empty string \"id\"");
  }
  return ok();
}

Result<std::vector<std::string>> allowed_integrations(const Services& services, const json& body) {
  std::vector<std::string> keys;
  auto it = body.find("allowed_integrations");
  if (it == body.end() || it->is_null()) return keys;
  if (!it->is_array()) return bad("\"allowed_integrations\" must be an array of integration keys");
  for (const json& key : *it) {
    if (!key.is_string()) return bad("\"allowed_integrations\" entries must be strings");
    if (!services.project->find_integration(key.get<std::string>())) {
      return bad(fmt::format("\"allowed_integrations\" names an unknown integration \"{}\"",
                             key.get<std::string>()));
    }
    keys.push_back(key.get<std::string>());
  }
  return keys;
}

Status check_config_defaults(const Services& services, const json& body) {
  auto it = body.find("integrations_config_defaults");
  if (it == body.end() || it->is_null()) return ok();
  if (!it->is_object()) return bad("\"integrations_config_defaults\" must be an object");
  for (const auto& [key, defaults] : it->items()) {
    if (!services.project->find_integration(key)) {
      return bad(fmt::format(
          "\"integrations_config_defaults\" names an unknown integration \"{}\"", key));
    }
    if (!defaults.is_object()) {
      return bad(fmt::format("\"integrations_config_defaults.{}\" must be an object", key));
    }
    for (const char* field : {"authorization_params", "connection_config"}) {
      if (defaults.contains(field) && !defaults[field].is_object()) {
        return bad(fmt::format("\"integrations_config_defaults.{}.{}\" must be an object", key,
                               field));
      }
    }
    if (defaults.contains("user_scopes") && !defaults["user_scopes"].is_string() &&
        !defaults["user_scopes"].is_array()) {
      return bad(fmt::format(
          "\"integrations_config_defaults.{}.user_scopes\" must be a string or an array", key));
    }
  }
  return ok();
}

http::Response create_session(const Services& services, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  if (!body->is_object()) return fail(ctx, bad("the body must be a JSON object"));
  if (auto checked = check_end_user(*body); !checked) return fail(ctx, checked.error());
  auto allowed = allowed_integrations(services, *body);
  if (!allowed) return fail(ctx, allowed.error());
  if (auto checked = check_config_defaults(services, *body); !checked) {
    return fail(ctx, checked.error());
  }

  const std::string token = std::string(kConnectSessionPrefix) + random_hex(kTokenBytes);
  store::ConnectSession session;
  session.token_hash = connect_session_hash(token);
  session.allowed_integrations = std::move(*allowed);
  session.request = std::move(*body);
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

}  // namespace

std::string connect_session_hash(std::string_view token) { return hex_encode(sha256(token)); }

Result<store::ConnectSession> find_connect_session(const Services& services,
                                                   const std::string& token) {
  if (token.empty()) return Error{Errc::unauthorized, "the connect session token is empty"};
  auto session = services.store->find_connect_session(connect_session_hash(token));
  if (session) return session;
  switch (session.error().code) {
    case Errc::not_found:
      return Error{Errc::unauthorized, "the connect session token is not valid"};
    case Errc::invalid_argument:
      return Error{Errc::unauthorized,
                   "the connect session expired; ask the backend for a new one"};
    default:
      return session;
  }
}

bool allows_integration(const store::ConnectSession& session, const std::string& integration) {
  const auto& allowed = session.allowed_integrations;
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), integration) != allowed.end();
}

void register_connect_sessions(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::post, "/connect/sessions",
             require_secret_key(services, make_handler(services, create_session)));
}

}  // namespace ferry::api
