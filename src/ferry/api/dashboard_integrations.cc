#include "ferry/api/dashboard_integrations.h"

#include "ferry/actions/action_registry.h"
#include "ferry/actions/action_runner.h"
#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/config/enum_names.h"
#include "ferry/config/render.h"
#include "ferry/http/json.h"
#include "ferry/observe/redact.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json integration_view(const config::Integration& integration, json actions) {
  const bool has_secret = !integration.oauth_client_secret.empty();
  return json{
      {"unique_key", integration.key},
      {"provider", integration.provider.empty() ? integration.key : integration.provider},
      {"blueprint", integration.provider.empty()
                        ? json(nullptr)
                        : json(integration.provider + ":" + integration.blueprint_version)},
      {"auth_mode", config::auth_mode_name(integration.auth.auth_mode)},
      {"base_url", integration.requests.base_url},
      {"scopes", integration.oauth_scopes},
      {"client_id", integration.oauth_client_id},
      {"client_secret", has_secret ? json(observe::mask(integration.oauth_client_secret))
                                   : json(nullptr)},
      {"source", integration.source},
      {"actions", std::move(actions)},
      {"config", config::integration_to_json(integration, false)},
  };
}

json warning(std::string location, std::string message) {
  return json{{"location", std::move(location)}, {"message", std::move(message)}};
}

json configuration_warnings(const Services& services) {
  const config::ServerConfig& server = services.project->server;
  const std::string ferry_yaml = (services.project->dir / "ferry.yaml").string();
  json warnings = json::array();
  if (server.encryption_key.empty()) {
    warnings.push_back(warning(ferry_yaml, "encryption_key is not set: credentials are stored "
                                           "unencrypted"));
  }
  if (server.secret_key_generated) {
    warnings.push_back(warning(ferry_yaml, "secret_key is not set: a random one is made at each "
                                           "start, so API clients break on restart"));
  }
  std::vector<std::string> problems = services.project->skipped_integrations;
  if (services.actions) {
    for (std::string& problem : services.actions->registry().load_errors()) {
      problems.push_back(std::move(problem));
    }
  }
  for (std::string& problem : problems) {
    // "<file>:<line>[:<col>]: <message>": the location is everything before the message.
    const std::size_t split = problem.find(": ");
    if (split == std::string::npos) {
      warnings.push_back(warning("", std::move(problem)));
    } else {
      warnings.push_back(warning(problem.substr(0, split), problem.substr(split + 2)));
    }
  }
  return warnings;
}

http::Response list_integrations(const Services& services, http::RequestContext& ctx) {
  std::vector<std::string> actions;
  if (services.actions) actions = services.actions->registry().list();
  json integrations = json::array();
  for (const auto& [key, integration] : services.project->integrations) {
    json names = json::array();
    const std::string prefix = key + "/";
    for (const auto& action : actions) {
      if (action.starts_with(prefix)) names.push_back(action.substr(prefix.size()));
    }
    integrations.push_back(integration_view(integration, std::move(names)));
  }
  return http::json_response(http::StatusCode::ok,
                             {{"callback_url", services.project->callback_url()},
                              {"integrations", std::move(integrations)},
                              {"warnings", configuration_warnings(services)}},
                             ctx.request.version());
}

}  // namespace

void register_dashboard_integrations(http::Router& router,
                                     std::shared_ptr<const Services> services) {
  router.add(http::Verb::get, "/dashboard/api/integrations",
             require_backend_access(services, make_handler(services, list_integrations)));
}

}  // namespace ferry::api
