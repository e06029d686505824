#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "ferry/api/connect_result.h"
#include "ferry/store/types.h"

namespace ferry::api {

// What a connect flow is bound to (DESIGN.md §4, binding): which connection it may create or
// re-authorise and with which connection_config. Decided from who started it (the public
// key, or a connect session) and what the browser asked for. Pure.
//
// Public key: the browser's connection_id (or a new one); its params[...] and user_scope.
//   May create a connection, never replace one.
// Connect session: the connection id is the one the backend fixed (a reconnect session's
//   connection, or connection_id of POST /connect/sessions), else a new one; a browser
//   connection_id that differs from it, or any browser connection_id when the backend fixed
//   none, is refused (connection_id_not_allowed, 400). connection_config starts from the
//   session's integrations_config_defaults; a browser params[NAME] or user_scope that
//   differs from a value the backend set is refused (param_not_allowed, 400). Only a
//   reconnect session may replace an existing connection's credentials. The connection
//   gets the session's end user and tags.

// What the browser sent to GET /oauth/connect/{integration}.
struct BrowserRequest {
  std::string connection_id;                          // empty when not given
  nlohmann::json params = nlohmann::json::object();   // params[NAME]=VALUE, strings
  std::optional<std::string> user_scope;
};

struct FlowBinding {
  std::string connection_id;
  nlohmann::json connection_config = nlohmann::json::object();
  std::string user_scope;                                    // "" = none
  std::map<std::string, std::string> authorization_params;  // the session's defaults
  bool may_overwrite = false;
  nlohmann::json end_user = nullptr;
  nlohmann::json tags = nlohmann::json::object();
};

// The binding of a flow for `integration`, or the failure that refuses it. `session` is
// null for a public-key flow. `new_id` makes a connection id when none is given or fixed.
std::variant<FlowBinding, ConnectFailure> bind_flow(const store::ConnectSession* session,
                                                   const std::string& integration,
                                                   const BrowserRequest& browser,
                                                   const std::function<std::string()>& new_id);

}  // namespace ferry::api
