#include "ferry/api/connect_binding.h"

#include <fmt/format.h>

#include <vector>

#include "ferry/api/connect_session_request.h"
#include "ferry/api/end_user_tags.h"
#include "ferry/core/strings.h"

namespace ferry::api {
namespace {

using nlohmann::json;

ConnectFailure refuse(std::string type, std::string message) {
  return ConnectFailure{http::StatusCode::bad_request, std::move(type), std::move(message)};
}

// The session's integrations_config_defaults entry for `integration`, or {}.
json session_defaults(const store::ConnectSession& session, const std::string& integration) {
  const json& request = session.request;
  if (!request.is_object()) return json::object();
  auto all = request.find("integrations_config_defaults");
  if (all == request.end() || !all->is_object()) return json::object();
  auto entry = all->find(integration);
  return entry != all->end() && entry->is_object() ? *entry : json::object();
}

std::string joined_scopes(const json& scopes) {
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

// The connection id of a session flow, or the refusal of the browser's.
std::variant<std::string, ConnectFailure> session_connection_id(
    const store::ConnectSession& session, const BrowserRequest& browser,
    const std::function<std::string()>& new_id) {
  if (!session.connection_id.empty()) {
    if (!browser.connection_id.empty() && browser.connection_id != session.connection_id) {
      return refuse("connection_id_not_allowed",
                    fmt::format("this connect session is bound to connection \"{}\"; leave "
                                "connection_id out or pass that id",
                                session.connection_id));
    }
    return session.connection_id;
  }
  if (!browser.connection_id.empty()) {
    return refuse("connection_id_not_allowed",
                  "this connect session lets Ferry choose the connection id: leave "
                  "connection_id out (the backend can fix one with connection_id in POST "
                  "/connect/sessions)");
  }
  return new_id();
}

// The backend's connection_config with the browser's params added; refused when a param
// would change a value the backend set.
std::optional<ConnectFailure> merge_params(const json& browser_params, json& config) {
  for (const auto& [name, value] : browser_params.items()) {
    auto set = config.find(name);
    if (set != config.end() && *set != value) {
      return refuse("param_not_allowed",
                    fmt::format("params[{}] cannot change the value the backend set for this "
                                "connect session",
                                name));
    }
    config[name] = value;
  }
  return std::nullopt;
}

}  // namespace

std::variant<FlowBinding, ConnectFailure> bind_flow(const store::ConnectSession* session,
                                                   const std::string& integration,
                                                   const BrowserRequest& browser,
                                                   const std::function<std::string()>& new_id) {
  FlowBinding binding;
  if (!session) {
    binding.connection_id = browser.connection_id.empty() ? new_id() : browser.connection_id;
    binding.connection_config = browser.params.is_object() ? browser.params : json::object();
    binding.user_scope = browser.user_scope.value_or("");
    return binding;
  }
  auto id = session_connection_id(*session, browser, new_id);
  if (auto* failure = std::get_if<ConnectFailure>(&id)) return std::move(*failure);
  binding.connection_id = std::get<std::string>(std::move(id));

  const json defaults = session_defaults(*session, integration);
  binding.connection_config = defaults.value("connection_config", json::object());
  if (!binding.connection_config.is_object()) binding.connection_config = json::object();
  if (auto refused = merge_params(browser.params, binding.connection_config)) return *refused;

  const std::string backend_scope = joined_scopes(defaults.value("user_scopes", json()));
  if (browser.user_scope && !backend_scope.empty() && *browser.user_scope != backend_scope) {
    return refuse("param_not_allowed",
                  "user_scope cannot change the user scopes the backend set for this connect "
                  "session");
  }
  binding.user_scope = backend_scope.empty() ? browser.user_scope.value_or("") : backend_scope;
  binding.authorization_params = string_map(defaults.value("authorization_params", json()));
  binding.may_overwrite = session->is_reconnect;
  binding.end_user = end_user_record(session->request);
  const json tags = session->request.is_object() ? session->request.value("tags", json()) : json();
  binding.tags = connection_tags(tags, binding.end_user);
  return binding;
}

}  // namespace ferry::api
