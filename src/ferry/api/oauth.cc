#include "ferry/api/oauth.h"

#include <fmt/format.h>

#include <optional>

#include "ferry/api/connect_binding.h"
#include "ferry/api/connect_result.h"
#include "ferry/api/connection_id.h"
#include "ferry/api/connect_sessions.h"
#include "ferry/api/flow_origin.h"
#include "ferry/api/flow_results.h"
#include "ferry/api/oauth1_flow.h"
#include "ferry/api/oauth_outcome.h"
#include "ferry/api/site_choice.h"
#include "ferry/auth/oauth2/authorization_request.h"
#include "ferry/auth/oauth2/oauth_state.h"
#include "ferry/auth/oauth2/pkce.h"
#include "ferry/auth/oauth2/store_grant.h"
#include "ferry/auth/oauth2/token_client.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

namespace net = boost::asio;
namespace oauth2 = auth::oauth2;
using nlohmann::json;

std::string query_or_empty(const http::RequestContext& ctx, const char* name) {
  const std::string* value = ctx.query_param(name);
  return value ? *value : std::string();
}

bool accepts_html(const http::RequestContext& ctx) {
  return to_lower(ctx.header("Accept")).find("text/html") != std::string::npos;
}

// The origin of server_root_url: where a page of a flow whose starter is unknown posts.
std::string server_origin(const Services& services) {
  // server_root_url is checked to be an http(s) URL at load; "/" (the page's own origin,
  // which is the server's) only guards against a future change of that rule.
  return http_origin(services.project->server.server_root_url).value_or("/");
}

// What the browser asked for: connection_id, params[NAME]=VALUE (as @nangohq/frontend
// sends them) and user_scope.
BrowserRequest browser_request(const http::RequestContext& ctx) {
  BrowserRequest browser;
  browser.connection_id = query_or_empty(ctx, "connection_id");
  for (const auto& [name, value] : ctx.query) {
    if (name.size() > 8 && name.rfind("params[", 0) == 0 && name.back() == ']') {
      browser.params[name.substr(7, name.size() - 8)] = value;
    }
  }
  if (const std::string* scope = ctx.query_param("user_scope")) browser.user_scope = *scope;
  return browser;
}

// Who may start this flow: the public key, or an unused connect session allowing the
// integration (found, not yet used up: that happens when the flow starts).
std::optional<ConnectFailure> check_caller(const Services& services,
                                           const http::RequestContext& ctx,
                                           const std::string& integration,
                                           std::optional<store::ConnectSession>& session) {
  if (const std::string* token = ctx.query_param("connect_session_token")) {
    auto found = find_connect_session(services, *token);
    if (!found) return session_failure(found.error());
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

// The connection the flow targets, as it is now: a flow that may only create must not find
// one (it is checked again when the tokens are stored), a reconnect must. Blocks.
std::optional<ConnectFailure> check_target(const Services& services,
                                           const std::string& integration,
                                           const FlowBinding& binding, bool is_reconnect) {
  auto existing = services.store->find_connection({integration, binding.connection_id});
  if (!existing && existing.error().code != Errc::not_found) {
    return failure_from(existing.error(), "unknown_err");
  }
  if (existing && !binding.may_overwrite) {
    return ConnectFailure{
        http::StatusCode::conflict, "connection_already_exists",
        fmt::format("connection \"{}\" of integration \"{}\" already exists; re-authorising an "
                    "existing connection takes a reconnect session (POST "
                    "/connect/sessions/reconnect)",
                    binding.connection_id, integration)};
  }
  if (!existing && is_reconnect) {
    return ConnectFailure{http::StatusCode::not_found, "unknown_connection",
                          fmt::format("connection \"{}\" of integration \"{}\" no longer exists: "
                                      "this reconnect session cannot re-authorise it",
                                      binding.connection_id, integration)};
  }
  return std::nullopt;
}

// A client_credentials integration connects without a user: tokens now, then the page.
net::awaitable<http::Response> connect_without_user(const Services& services,
                                                    const config::Integration& integration,
                                                    const FlowOutcome& outcome,
                                                    const FlowBinding& binding) {
  auto grant = co_await oauth2::client_credentials_tokens(*services.exchange, integration,
                                                          services.clock->now());
  if (!grant) co_return outcome.fail(failure_from(grant.error(), "token_err"));
  auto stored = co_await oauth2::store_grant(
      grant_dependencies(services), integration,
      grant_target(binding.connection_id, binding.may_overwrite, binding.end_user, binding.tags),
      *grant, binding.connection_config, binding.connection_config);
  if (!stored) co_return outcome.fail(store_failure(stored.error()));
  co_return outcome.succeed();
}

// Stores the flow's state (using up its connect session, within the client's cap) and sends
// the browser to the provider (302). Blocks.
http::Response start_authorization(const Services& services, const config::Integration& integration,
                                   const FlowOutcome& outcome, const FlowBinding& binding,
                                   const store::StateAdmission& admission) {
  store::OAuthSession state = oauth2::new_oauth_session(
      integration, flow_request(services, outcome, binding), services.clock->now());
  oauth2::AuthorizationInputs inputs;
  inputs.redirect_uri = state.redirect_uri;
  inputs.state = state.state;
  if (!state.code_verifier.empty()) {
    inputs.code_challenge = oauth2::s256_code_challenge(state.code_verifier);
  }
  inputs.user_scope = binding.user_scope;
  inputs.extra_params = binding.authorization_params;
  inputs.connection_config = binding.connection_config;
  auto url = oauth2::build_authorization_url(integration, inputs);
  if (!url) {
    const bool is_input = url.error().code == Errc::invalid_argument;
    return outcome.fail({is_input ? http::StatusCode::bad_request : http::StatusCode::internal_server_error,
                         is_input ? "url_param_err" : "provider_config_err", url.error().message});
  }
  if (auto saved = services.store->save_oauth_state(state, admission); !saved) {
    return outcome.fail(
        admission_failure(services, saved.error(), !admission.connect_session_hash.empty()));
  }
  http::Response redirect{http::StatusCode::found, outcome.ctx.request.version()};
  redirect.set(http::bhttp::field::location, *url);
  redirect.set(http::bhttp::field::cache_control, "no-store");
  redirect.prepare_payload();
  return redirect;
}

// The origin of the page that started the flow, into `outcome`; a failure when the request
// names a malformed one.
std::optional<ConnectFailure> take_origin(const Services& services,
                                          const http::RequestContext& ctx, FlowOutcome& outcome) {
  outcome.target_origin = server_origin(services);
  auto origin = requested_origin(ctx.query_param("origin"), ctx.header("Referer"));
  if (!origin) return failure_from(origin.error(), "invalid_origin");
  if (!origin->empty()) outcome.target_origin = *origin;
  return std::nullopt;
}

net::awaitable<http::Response> connect(std::shared_ptr<const Services> services,
                                       http::RequestContext& ctx) {
  const std::string key = ctx.path_params.at("integration");
  const BrowserRequest browser = browser_request(ctx);
  FlowOutcome outcome{*services, ctx, {key, browser.connection_id},
                  query_or_empty(ctx, "ws_client_id"), false, {}};
  outcome.as_html = !outcome.ws_client_id.empty() || accepts_html(ctx);
  if (auto refused = take_origin(*services, ctx, outcome)) co_return outcome.fail(*refused);

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
  const bool is_oauth1 = integration->auth.auth_mode == config::AuthMode::oauth1;
  if (!is_oauth1 && integration->auth.auth_mode != config::AuthMode::oauth2) {
    co_return outcome.fail(
        {http::StatusCode::bad_request, "auth_mode_err",
         fmt::format("integration \"{}\" uses {}, not OAUTH2 or OAUTH1: register its "
                     "credentials with POST /connections",
                     key, config::auth_mode_name(integration->auth.auth_mode))});
  }
  if (!browser.connection_id.empty()) {
    if (auto valid = check_connection_id(browser.connection_id, "connection_id"); !valid) {
      co_return outcome.fail(
          {http::StatusCode::bad_request, "invalid_connection_id", valid.error().message});
    }
  }
  auto bound = bind_flow(session ? &*session : nullptr, key, browser, uuid_v4);
  if (auto* failure = std::get_if<ConnectFailure>(&bound)) co_return outcome.fail(*failure);
  const FlowBinding binding = std::get<FlowBinding>(std::move(bound));
  outcome.flow.connection_id = binding.connection_id;
  const bool is_reconnect = session && session->is_reconnect;
  if (auto conflict = co_await services->blocking->run(
          [&] { return check_target(*services, key, binding, is_reconnect); })) {
    co_return outcome.fail(*conflict);
  }

  if (integration->auth.grant_type == config::GrantType::client_credentials) {
    if (session) {
      auto used = co_await services->blocking->run(
          [&] { return services->store->use_connect_session(session->token_hash); });
      if (!used) co_return outcome.fail(session_failure(used.error()));
    }
    co_return co_await connect_without_user(*services, *integration, outcome, binding);
  }
  const store::StateAdmission admission{services->project->server.max_pending_oauth_flows_per_client,
                                        session ? session->token_hash : std::string()};
  if (is_oauth1) {
    co_return co_await start_oauth1_authorization(*services, *integration, outcome, binding,
                                                  admission);
  }
  // Saves the flow's state in the store: on the blocking pool.
  co_return co_await services->blocking->run([&] {
    return start_authorization(*services, *integration, outcome, binding, admission);
  });
}

net::awaitable<http::Response> callback(std::shared_ptr<const Services> services,
                                        http::RequestContext& ctx) {
  const auto params = oauth2::read_callback_params(ctx.query);
  FlowOutcome outcome{*services, ctx, {}, {}, true, server_origin(*services)};
  // Taken even when the provider refused: the state is used up, and it names the flow.
  auto session = co_await services->blocking->run(
      [&] { return oauth2::take_oauth_session(*services->store, params.state); });
  if (session) {
    outcome.flow = {session->provider_config_key, session->connection_id};
    outcome.ws_client_id = session->ws_client_id;
    if (!session->origin.empty()) outcome.target_origin = session->origin;
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
  if (integration->auth.auth_mode == config::AuthMode::oauth1) {
    co_return co_await finish_oauth1_authorization(*services, *integration, outcome, *session);
  }
  if (params.code.empty()) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err",
                            "the callback has no code parameter"});
  }
  auto grant = co_await oauth2::exchange_code(*services->exchange, *integration, params.code,
                                              session->redirect_uri, session->code_verifier,
                                              services->clock->now());
  if (!grant) co_return outcome.fail(failure_from(grant.error(), "token_err"));
  auto stored = co_await oauth2::store_grant(
      grant_dependencies(*services), *integration,
      grant_target(session->connection_id, session->may_overwrite, session->end_user,
                   session->tags),
      *grant, session->params, session->params);
  if (!stored) co_return outcome.fail(store_failure(stored.error()));
  if (needs_site_choice(*stored)) {
    outcome.record("info", 200, "connection authorized; waiting for the user to choose a site");
    co_return site_choice_page(*services, outcome.flow, outcome.ws_client_id,
                               outcome.target_origin, *stored, ctx.request.version());
  }
  co_return outcome.succeed();
}

// The connect_link of a connect session.
net::awaitable<http::Response> choose(std::shared_ptr<const Services> services,
                                      http::RequestContext& ctx) {
  FlowOutcome outcome{*services, ctx, {}, {}, true, {}};
  if (auto refused = take_origin(*services, ctx, outcome)) co_return outcome.fail(*refused);
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
      if (integration.auth.auth_mode == config::AuthMode::oauth2 ||
          integration.auth.auth_mode == config::AuthMode::oauth1) {
        keys.push_back(key);
      }
    }
  }
  // The origin the links pass on: the one this request named, not the server's fallback.
  const auto named = requested_origin(ctx.query_param("origin"), ctx.header("Referer"));
  co_return connect_chooser(keys, *token, named ? *named : std::string(), ctx.request.version());
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
