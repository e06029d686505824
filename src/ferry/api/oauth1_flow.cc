#include "ferry/api/oauth1_flow.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <fmt/format.h>

#include "ferry/auth/oauth1/token_flow.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/core/url_encoding.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

namespace net = boost::asio;
namespace oauth1 = auth::oauth1;

// The second row of a flow, holding its temporary credentials: its state with this suffix.
// A state is 64 hex digits, so no flow's own state ends like this.
constexpr std::string_view kTemporarySuffix = ".oauth1";

std::string temporary_row_key(const std::string& state) {
  return state + std::string(kTemporarySuffix);
}

}  // namespace

net::awaitable<http::Response> start_oauth1_authorization(const Services& services,
                                                          const config::Integration& integration,
                                                          const FlowOutcome& outcome,
                                                          const FlowBinding& binding,
                                                          const store::StateAdmission& admission) {
  store::OAuthSession state = auth::oauth2::new_oauth_session(
      integration, flow_request(services, outcome, binding), services.clock->now());
  state.code_verifier.clear();  // no PKCE in OAuth 1.0a
  auto saved = co_await services.blocking->run(
      [&] { return services.store->save_oauth_state(state, admission); });
  if (!saved) {
    co_return outcome.fail(
        admission_failure(services, saved.error(), !admission.connect_session_hash.empty()));
  }
  std::string callback = state.redirect_uri;
  append_query_param(callback, "state", state.state, '?');
  auto temporary =
      co_await oauth1::request_temporary_credentials(*services.exchange, integration, callback);
  if (!temporary) co_return outcome.fail(failure_from(temporary.error(), "request_token_err"));

  store::OAuthSession secret_row = state;
  secret_row.state = temporary_row_key(state.state);
  secret_row.code_verifier = oauth1::pack(*temporary);
  secret_row.client_address.clear();  // the flow's own row already counts against the cap
  auto kept = co_await services.blocking->run(
      [&] { return services.store->save_oauth_state(secret_row, store::StateAdmission{}); });
  if (!kept) co_return outcome.fail(failure_from(kept.error(), "unknown_err"));

  oauth1::AuthorizationInputs inputs;
  inputs.extra_params = binding.authorization_params;
  auto url = oauth1::authorization_url(integration, temporary->token, inputs);
  if (!url) {
    co_return outcome.fail({http::StatusCode::internal_server_error, "provider_config_err",
                            url.error().message});
  }
  http::Response redirect{http::StatusCode::found, outcome.ctx.request.version()};
  redirect.set(http::bhttp::field::location, *url);
  redirect.set(http::bhttp::field::cache_control, "no-store");
  redirect.prepare_payload();
  co_return redirect;
}

net::awaitable<http::Response> finish_oauth1_authorization(const Services& services,
                                                           const config::Integration& integration,
                                                           const FlowOutcome& outcome,
                                                           const store::OAuthSession& session) {
  // Taken whatever the callback says: the temporary credentials work once.
  auto row = co_await services.blocking->run(
      [&] { return services.store->take_oauth_state(temporary_row_key(session.state)); });
  const http::RequestContext& ctx = outcome.ctx;
  if (ctx.query_param("denied")) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err",
                            "the user did not authorize the request (the provider answered "
                            "denied)"});
  }
  if (!row) {
    co_return outcome.fail({http::StatusCode::bad_request, "state_err",
                            "this authorization has no pending OAuth 1.0a request token (it "
                            "expired or was already used); start the authorization again"});
  }
  auto temporary = oauth1::unpack_temporary(row->code_verifier);
  if (!temporary) co_return outcome.fail(failure_from(temporary.error(), "state_err"));
  const std::string* token = ctx.query_param("oauth_token");
  const std::string* verifier = ctx.query_param("oauth_verifier");
  if (!token || !verifier || verifier->empty()) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err",
                            "the callback has no oauth_token and oauth_verifier parameters"});
  }
  if (!constant_time_equals(*token, temporary->token)) {
    co_return outcome.fail({http::StatusCode::bad_request, "callback_err",
                            "the callback's oauth_token is not the one this authorization "
                            "was given"});
  }
  auto grant = co_await oauth1::request_token_credentials(*services.exchange, integration,
                                                          *temporary, *verifier,
                                                          services.clock->now());
  if (!grant) co_return outcome.fail(failure_from(grant.error(), "token_err"));
  auto stored = co_await auth::oauth2::store_credentials(
      grant_dependencies(services), integration,
      grant_target(session.connection_id, session.may_overwrite, session.end_user, session.tags),
      oauth1::stored_credentials(*grant), grant->issued_at, session.params, session.params);
  if (!stored) co_return outcome.fail(store_failure(stored.error()));
  co_return outcome.succeed();
}

}  // namespace ferry::api
