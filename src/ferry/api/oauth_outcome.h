#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/api/connect_binding.h"
#include "ferry/api/connect_result.h"
#include "ferry/api/services.h"
#include "ferry/auth/oauth2/oauth_state.h"
#include "ferry/auth/oauth2/store_grant.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// What the browser-facing legs of every connect flow (OAuth 2, OAuth 1.0a) share: how an
// outcome reaches the browser, the websocket and the activity log, and how a flow's state
// and grant are described to the store.

// One browser-facing request: who it is about, and how its outcome is delivered.
struct FlowOutcome {
  const Services& services;
  const http::RequestContext& ctx;
  FlowIdentity flow;
  std::string ws_client_id;
  bool as_html = true;
  std::string target_origin;  // where the page posts its result

  // An activity-log entry of type "auth" for this request.
  void record(const char* level, int status, const std::string& message) const;
  // The failure page (or JSON), after telling the websocket client and the log.
  http::Response fail(const ConnectFailure& failure) const;
  // The success page, after telling the websocket client and the log.
  http::Response succeed() const;
};

// A connect session that cannot be used, in the browser's words.
ConnectFailure session_failure(const Error& error);

// The refusal of save_oauth_state, in the browser's words.
ConnectFailure admission_failure(const Services& services, const Error& error,
                                 bool uses_session);

// The page of a grant that could not be stored.
ConnectFailure store_failure(const Error& error);

// The state a flow stores for its callback: the binding, the websocket client, the
// origin and the client's address (for the pending-flow cap).
auth::oauth2::FlowRequest flow_request(const Services& services, const FlowOutcome& outcome,
                                       const FlowBinding& binding);

auth::post_connection::Dependencies grant_dependencies(const Services& services);

auth::oauth2::GrantTarget grant_target(const std::string& connection_id, bool may_overwrite,
                                       nlohmann::json end_user, nlohmann::json tags);

}  // namespace ferry::api
