#include "ferry/api/integrations.h"

#include <fmt/format.h>

#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/config/catalog.h"
#include "ferry/config/catalog_listing.h"
#include "ferry/config/render.h"
#include "ferry/core/clock.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json public_integration(const config::Integration& integration, const std::string& loaded_at) {
  return json{{"unique_key", integration.key},
              {"provider", integration.provider.empty() ? integration.key : integration.provider},
              {"display_name", integration.key},
              {"logo", ""},
              {"forward_webhooks", false},
              {"created_at", loaded_at},
              {"updated_at", loaded_at}};
}

// ApiProvider: the latest version's settings under Nango's field names, plus Ferry's
// maintainer and every version.
json provider_view(const config::Blueprint& blueprint) {
  json full = config::blueprint_to_json(blueprint);
  const config::Integration& latest = blueprint.latest()->settings;
  json proxy = {{"base_url", latest.requests.base_url},
                {"headers", latest.requests.headers},
                {"query", latest.requests.params}};
  return json{{"name", blueprint.name},
              {"display_name", blueprint.name},
              {"logo_url", ""},
              {"docs", blueprint.docs_url},
              {"description", blueprint.description},
              {"categories", blueprint.categories},
              {"sources", blueprint.sources},
              {"maintainer", blueprint.maintainer},
              {"auth_mode", config::auth_mode_name(latest.auth.auth_mode)},
              {"authorization_url", latest.auth.authorization_url},
              {"authorization_params", latest.auth.authorization_params},
              {"token_url", latest.auth.token_url},
              {"token_params", latest.auth.token_params},
              {"refresh_url", latest.auth.refresh_url},
              {"scope_separator", latest.auth.scope_separator},
              {"default_scopes", latest.oauth_scopes},
              {"authorization_method",
               latest.auth.authorization_method == config::AuthorizationMethod::header ? "header"
                                                                                       : "body"},
              {"body_format", latest.auth.body_format == config::BodyFormat::json ? "json" : "form"},
              {"proxy", proxy},
              {"latest_version", blueprint.latest()->name},
              {"versions", full.value("versions", json::object())}};
}

http::Response list_integrations(const Services& services, http::RequestContext& ctx,
                                 const std::string& loaded_at) {
  json data = json::array();
  for (const auto& [key, integration] : services.project->integrations) {
    data.push_back(public_integration(integration, loaded_at));
  }
  return http::json_response(http::StatusCode::ok, {{"data", data}}, ctx.request.version());
}

http::Response get_integration(const Services& services, http::RequestContext& ctx,
                               const std::string& loaded_at) {
  auto integration = find_integration(services, ctx.path_params.at("key"));
  if (!integration) return fail(ctx, integration.error());
  json data = public_integration(**integration, loaded_at);
  data["config"] = config::integration_to_json(**integration, false);
  const std::string* include = ctx.query_param("include");
  if (include && *include == "credentials") {
    const auto& i = **integration;
    const bool oauth = i.auth.auth_mode == config::AuthMode::oauth2 ||
                       i.auth.auth_mode == config::AuthMode::oauth1;
    data["credentials"] =
        oauth ? json{{"type", config::auth_mode_name(i.auth.auth_mode)},
                     {"client_id", i.oauth_client_id},
                     {"client_secret", nullptr},  // never returned
                     {"scopes", join(i.oauth_scopes, ",")},
                     {"webhook_secret", nullptr}}
              : json();
  }
  return http::json_response(http::StatusCode::ok, {{"data", data}}, ctx.request.version());
}

http::Response list_providers(const Services& services, http::RequestContext& ctx) {
  config::CatalogQuery query;
  if (const std::string* search = ctx.query_param("search")) query.search = *search;
  if (const std::string* category = ctx.query_param("category")) query.category = *category;
  auto found = config::find_blueprints(*services.project->catalog, query);
  if (!found) return fail(ctx, found.error());
  json data = json::array();
  for (const config::Blueprint* blueprint : *found) data.push_back(provider_view(*blueprint));
  return http::json_response(http::StatusCode::ok, {{"data", data}}, ctx.request.version());
}

http::Response get_provider(const Services& services, http::RequestContext& ctx) {
  const std::string& name = ctx.path_params.at("name");
  const config::Blueprint* blueprint = services.project->catalog->find(name);
  if (!blueprint) return fail(ctx, Errc::not_found, fmt::format("unknown provider \"{}\"", name));
  return http::json_response(http::StatusCode::ok, {{"data", provider_view(*blueprint)}},
                             ctx.request.version());
}

}  // namespace

void register_integrations(http::Router& router, std::shared_ptr<const Services> services) {
  // The configuration is loaded once per process: its load time is every integration's
  // created_at and updated_at.
  const std::string loaded_at = format_iso8601(std::chrono::system_clock::now());
  auto route = [&](std::string pattern, SyncHandler handler) {
    router.add(http::Verb::get, std::move(pattern),
               require_backend_access(services, make_handler(services, std::move(handler))));
  };
  route("/integrations", [loaded_at](const Services& s, http::RequestContext& ctx) {
    return list_integrations(s, ctx, loaded_at);
  });
  route("/integrations/{key}", [loaded_at](const Services& s, http::RequestContext& ctx) {
    return get_integration(s, ctx, loaded_at);
  });
  route("/providers", list_providers);
  route("/providers/{name}", get_provider);
}

}  // namespace ferry::api
