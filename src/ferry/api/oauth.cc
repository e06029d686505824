#include "ferry/api/oauth.h"

#include <fmt/format.h>

#include <optional>

#include "ferry/api/connect_result.h"
#include "ferry/api/connect_sessions.h"
#include "ferry/api/websocket.h"
#include "ferry/auth/oauth2/authorization_request.h"
#include "ferry/auth/oauth2/oauth_state.h"
#include "ferry/auth/oauth2/pkce.h"
#include "ferry/auth/oauth2/store_grant.h"
#include "ferry/auth/oauth2/token_client.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

namespace net = boost::asio;
namespace oauth2 = auth::oauth2;
using nlohmann::json;

// One browser-facing request: who it is about, and how its outcome is delivered.
struct Outcome {
  const Services& services;
  const http::RequestContext& ctx;
  FlowIdentity flow;
  std::string ws_client_id;
  bool as_html = true;

  void record(const char* level, int status, const std::string& message) const {
    if (!services.activity) return;
    store::ActivityEntry entry;
    entry.level = level;
    entry.type = "auth";
    entry.provider_config_key = flow.provider_config_key;
    entry.connection_id = flow.connection_id;
    entry.method = "GET";
    entry.url = std::string(ctx.request.target().substr(0, ctx.request.target().find('?')));
    entry.status = status;
    entry.message = observe::redact(message);
    services.activity->record(std::move(entry));
  }

  http::Response fail(const ConnectFailure& failure) const {
    record("warn", static_cast<int>(failure.status), "OAuth flow failed: " + failure.message);
    observe::info("OAuth flow for {} failed: {} ({})",
                  flow.provider_config_key.empty() ? "an unknown integration"
                                                   : flow.provider_config_key,
                  observe::redact(failure.message), failure.type);
    if (!ws_client_id.empty()) services.websockets->notify(ws_client_id, ws_error(failure));
    const unsigned version = ctx.request.version();
    return as_html ? failure_page(flow, failure, version) : failure_json(failure, version);
  }

  http::Response succeed() const {
    record("info", 200, "connection authorized through OAuth");
    if (!ws_client_id.empty()) services.websockets->notify(ws_client_id, ws_success(flow));
    return success_page(flow, ctx.request.version());
  }
};

std::string query_or_empty(const http::RequestContext& ctx, const char* name) {
  const std::string* value = ctx.query_param(name);
  return value ? *value : std::string();
}

bool accepts_html(const http::RequestContext& ctx) {
  return to_lower(ctx.header("Accept")).find("text/html") != std::string::npos;
}

// params[NAME]=VALUE query parameters, as @nangohq/frontend sends them.
json connect_params(const http::RequestContext& ctx) {
  json params = json::object();
  for (const auto& [name, value] : ctx.query) {
    if (name.size() > 8 && name.rfind("params[", 0) == 0 && name.back() == ']') {
      params[name.substr(7, name.size() - 8)] = value;
    }
  }
  return params;
}

// Who may start this flow: the public key, or a connect session allowing the integration.
std::optional<ConnectFailure> check_caller(const Services& services,
                                           const http::RequestContext& ctx,
                                           const std::string& integration,
                                           std::optional<store::ConnectSession>& session) {
  if (const std::string* token = ctx.query_param("connect_session_token")) {
    auto found = find_connect_session(services, *token);
    if (!found) return failure_from(found.error(), "invalid_connect_session_token");
    if (!integration.empty() && !allows_integration(*found, integration)) {
      return ConnectFailure{http::StatusCode::forbidden, "integration_not_allowed",
                            fmt::format("this connect session does not allow integration \"{}\"",
                                        integration)};
    }
    session = std::move(*found);
    return std::nullopt;
  }
  const std::string* key = ctx.query_param("public_key");
  if (!key) {
    return ConnectFailure{http::StatusCode::unauthorized, "missing_auth_token",
                          "a public_key or connect_session_token query parameter is required"};
  }
  if (!constant_time_equals(*key, services.project->server.public_key)) {
    return ConnectFailure{http::StatusCode::unauthorized, "invalid_public_key",
                          "the public key is not valid"};
  }
  return std::nullopt;
}

// The connect session's integrations_config_defaults entry for `integration`, or {}.
json session_defaults(const std::optional<store::ConnectSession>& session,
                      const std::string& integration) {
  if (!session) return json::object();
  const json& all = session->request.value("integrations_config_defaults", json::object());
  if (!all.is_object() || !all.contains(integration) || !all[integration].is_object()) {
    return json::object();
  }
  return all[integration];
}

std::string user_scope(const http::RequestContext& ctx, const json& defaults) {
  if (const std::string* scope = ctx.query_param("user_scope")) return *scope;
  const json scopes = defaults.value("user_scopes", json());
  if (scopes.is_string()) return scopes.get<std::string>();
  std::vector<std::string> names;
  if (scopes.is_array()) {
    for (const json& s : scopes) {
      if (s.is_string()) names.push_back(s.get<std::string>());
    }
  }
  return join(names, ",");
}

std::map<std::string, std::string> string_map(const json& object) {
  std::map<std::string, std::string> out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

auth::post_connection::Dependencies grant_dependencies(const Services& services) {
  return {*services.exchange, *services.store, *services.blocking, services.activity.get()};
}

// A client_credentials integration connects without a user: tokens now, then the page.
net::awaitable<http::Response> connect_without_user(const Services& services,
                                                    const config::Integration& integration,
                                                    const Outcome& outcome, json params) {
  auto grant = co_await oauth2::client_credentials_tokens(*services.exchange, integration,
                                                          services.clock->now());
  if (!grant) co_return outcome.fail(failure_from(grant.error(), "token_err"));
  auto stored = co_await oauth2::store_grant(grant_dependencies(services), integration,
                                             outcome.flow.connection_id, *grant, params, params);
  if (!stored) co_return outcome.fail(failure_from(stored.error(), "unknown_err"));
  co_return outcome.succeed();
}

// Stores the flow's state and sends the browser to the provider (302).
http::Response start_authorization(const Services& services, const config::Integration& integration,
                                   const Outcome& outcome, std::string scope,
                                   std::map<std::string, std::string> extra_params, json params) {
  store::OAuthSession state = oauth2::new_oauth_session(
      integration,
      {outcome.flow.connection_id, outcome.ws_client_id, services.project->callback_url(), params},
      services.clock->now());
  oauth2::AuthorizationInputs inputs;
  inputs.redirect_uri = state.redirect_uri;
  inputs.state = state.state;
  if (!state.code_verifier.empty()) {
    inputs.code_challenge = oauth2::s256_code_challenge(state.code_verifier);
  }
  inputs.user_scope = std::move(scope);
  inputs.extra_params = std::move(extra_params);
  inputs.connection_config = std::move(params);
  auto url = oauth2::build_authorization_url(integration, inputs);
  if (!url) {
    const bool is_input = url.error().code == Errc::invalid_argument;
    return outcome.fail({is_input ? http::StatusCode::bad_request : http::StatusCode::internal_server_error,
                         is_input ? "url_param_err" : "provider_config_err", url.error().message});
  }
  if (auto saved = services.store->save_oauth_state(state); !saved) {
    return outcome.fail(failure_from(saved.error(), "unknown_err"));
  }
  http::Response redirect{http::StatusCode::found, outcome.ctx.request.version()};
  redirect.set(http::bhttp::field::location, *url);
  redirect.set(http::bhttp::field::cache_control, "no-store");
  redirect.prepare_payload();
  return redirect;
}

net::awaitable<http::Response> connect(std::shared_ptr<const Services> services,
                                       http::RequestContext& ctx) {
  const std::string key = ctx.path_params.at("integration");
  Outcome outcome{*services, ctx, {key, query_or_empty(ctx, "connection_id")},
                  query_or_empty(ctx, "ws_client_id"), false};
  outcome.as_html = !outcome.ws_client_id.empty() || accepts_html(ctx);

  std::optional<store::ConnectSession> session;
  // The connect session is looked up in the store: on the blocking pool.
  auto refused = co_await services->blocking->run(
      [&] { return check_caller(*services, ctx, key, session); });
  if (refused) co_return outcome.fail(*refused);
  const config::Integration* integration = services->project->find_integration(key);
  if (!integration) {
    co_return outcome.fail({http::StatusCode::not_found, "unknown_config_key",
                            fmt::format("unknown integration \"{}\"", key)});
  }
  if (integration->auth.auth_mode != config::AuthMode::oauth2) {
    co_return outcome.fail(
        {http::StatusCode::bad_request, "auth_mode_err",
         fmt::format("integration \"{}\" uses {}, not OAUTH2: register its credentials with "
                     "POST /connections",
                     key, config::auth_mode_name(integration->auth.auth_mode))});
  }
  if (outcome.flow.connection_id.empty()) outcome.flow.connection_id = uuid_v4();
  const json defaults = session_defaults(session, key);
  json params = defaults.value("connection_config", json::object());
  const json given = connect_params(ctx);  // named: items() of a temporary dangles
  for (const auto& [name, value] : given.items()) params[name] = value;

  if (integration->auth.grant_type == config::GrantType::client_credentials) {
    co_return co_await connect_without_user(*services, *integration, outcome, std::move(params));
  }
  // Saves the flow's state in the store: on the blocking pool.
  co_return co_await services->blocking->run([&] {
    return start_authorization(*services, *integration, outcome, user_scope(ctx, defaults),
                               string_map(defaults.value("authorization_params", json::object())),
                               std::move(params));
  });
}

net::awaitable<http::Response> callback(std::shared_ptr<const Services> services,
                                        http::RequestContext& ctx) {
  const auto params = oauth2::read_callback_params(ctx.query);
  Outcome outcome{*services, ctx, {}, {}, true};
  // Taken even when the provider refused: the state is used up, and it names the flow.
  auto session = co_await services->blocking->run(
      [&] { return oauth2::take_oauth_session(*services->store, params.state); });
  if (session) {
    outcome.flow = {session->provider_config_key, session->connection_id};
    outcome.ws_client_id = session->ws_client_id;
  }
  // The provider's own refusal says most; jira.js also checks `error` before `state`.
  if (auto refusal = oauth2::provider_refusal(params)) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err", *refusal});
  }
  if (!session) {
    co_return outcome.fail({http::StatusCode::bad_request, "state_err", session.error().message});
  }
  const config::Integration* integration =
      services->project->find_integration(session->provider_config_key);
  if (!integration) {
    co_return outcome.fail({http::StatusCode::not_found, "unknown_config_key",
                            fmt::format("integration \"{}\" is no longer configured",
                                        session->provider_config_key)});
  }
  if (params.code.empty()) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err",
                            "the callback has no code parameter"});
  }
  auto grant = co_await oauth2::exchange_code(*services->exchange, *integration, params.code,
                                              session->redirect_uri, session->code_verifier,
                                              services->clock->now());
  if (!grant) co_return outcome.fail(failure_from(grant.error(), "token_err"));
  auto stored = co_await oauth2::store_grant(grant_dependencies(*services), *integration,
                                             session->connection_id, *grant, session->params,
                                             session->params);
  if (!stored) co_return outcome.fail(failure_from(stored.error(), "unknown_err"));
  co_return outcome.succeed();
}

// The connect_link of a connect session.
net::awaitable<http::Response> choose(std::shared_ptr<const Services> services,
                                      http::RequestContext& ctx) {
  Outcome outcome{*services, ctx, {}, {}, true};
  const std::string* token = ctx.query_param("connect_session_token");
  if (!token) {
    co_return outcome.fail({http::StatusCode::unauthorized, "missing_auth_token",
                            "a connect_session_token query parameter is required"});
  }
  std::optional<store::ConnectSession> session;
  auto refused = co_await services->blocking->run(
      [&] { return check_caller(*services, ctx, "", session); });
  if (refused) co_return outcome.fail(*refused);
  std::vector<std::string> keys = session->allowed_integrations;
  if (keys.empty()) {
    for (const auto& [key, integration] : services->project->integrations) {
      if (integration.auth.auth_mode == config::AuthMode::oauth2) keys.push_back(key);
    }
  }
  co_return connect_chooser(keys, *token, ctx.request.version());
}

}  // namespace

void register_oauth(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::get, "/oauth/connect/{integration}",
             [services](http::RequestContext& ctx) { return connect(services, ctx); });
  router.add(http::Verb::get, "/oauth/connect",
             [services](http::RequestContext& ctx) { return choose(services, ctx); });
  router.add(http::Verb::get, "/oauth/callback",
             [services](http::RequestContext& ctx) { return callback(services, ctx); });
}

}  // namespace ferry::api
