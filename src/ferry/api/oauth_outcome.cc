#include "ferry/api/oauth_outcome.h"

#include <fmt/format.h>

#include "ferry/api/client_address.h"
#include "ferry/api/connect_sessions.h"
#include "ferry/api/flow_results.h"
#include "ferry/api/websocket.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/activity_writer.h"

namespace ferry::api {

namespace oauth2 = auth::oauth2;
using nlohmann::json;

void FlowOutcome::record(const char* level, int status, const std::string& message) const {
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

http::Response FlowOutcome::fail(const ConnectFailure& failure) const {
  record("warn", static_cast<int>(failure.status), "OAuth flow failed: " + failure.message);
  observe::info("OAuth flow for {} failed: {} ({})",
                flow.provider_config_key.empty() ? "an unknown integration"
                                                 : flow.provider_config_key,
                observe::redact(failure.message), failure.type);
  deliver_flow_result(services, ws_client_id, ws_error(failure));
  const unsigned version = ctx.request.version();
  return as_html ? failure_page(flow, failure, target_origin, version)
                 : failure_json(failure, version);
}

http::Response FlowOutcome::succeed() const {
  record("info", 200, "connection authorized through OAuth");
  deliver_flow_result(services, ws_client_id, ws_success(flow));
  return success_page(flow, target_origin, ctx.request.version());
}

ConnectFailure session_failure(const Error& error) {
  const Error shown = connect_session_error(error);
  return failure_from(shown, shown.code == Errc::conflict ? "connect_session_used"
                                                           : "invalid_connect_session_token");
}

ConnectFailure admission_failure(const Services& services, const Error& error,
                                 bool uses_session) {
  if (error.code == Errc::too_many_requests) {
    return ConnectFailure{
        http::StatusCode::too_many_requests, "too_many_requests",
        fmt::format("too many unfinished authorizations from this address (at most {} at "
                    "once); finish one, or wait until they expire {} minutes after they started",
                    services.project->server.max_pending_oauth_flows_per_client,
                    oauth2::kStateLifetime.count())};
  }
  switch (error.code) {
    case Errc::not_found:         // the session vanished,
    case Errc::invalid_argument:  // expired,
    case Errc::conflict:          // or another flow used it first
      if (uses_session) return session_failure(error);
      [[fallthrough]];
    default:
      return failure_from(error, "unknown_err");
  }
}

auth::post_connection::Dependencies grant_dependencies(const Services& services) {
  return {*services.exchange, *services.store, *services.blocking, services.activity.get(),
          services.events.get()};
}

auth::oauth2::GrantTarget grant_target(const std::string& connection_id, bool may_overwrite,
                                 json end_user, json tags) {
  return {connection_id, may_overwrite, std::move(end_user), std::move(tags)};
}

ConnectFailure store_failure(const Error& error) {
  return failure_from(error,
                      error.code == Errc::conflict ? "connection_already_exists" : "unknown_err");
}

oauth2::FlowRequest flow_request(const Services& services, const FlowOutcome& outcome,
                                 const FlowBinding& binding) {
  oauth2::FlowRequest request;
  request.connection_id = binding.connection_id;
  request.ws_client_id = outcome.ws_client_id;
  request.redirect_uri = services.project->callback_url();
  request.params = binding.connection_config;
  request.client_address = client_key(outcome.ctx.remote_address);
  request.origin = outcome.target_origin;
  request.may_overwrite = binding.may_overwrite;
  request.end_user = binding.end_user;
  request.tags = binding.tags;
  return request;
}

}  // namespace ferry::api
