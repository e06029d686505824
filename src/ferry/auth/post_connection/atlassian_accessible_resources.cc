#include "ferry/auth/post_connection/atlassian_accessible_resources.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "ferry/core/strings.h"
#include "ferry/http/client/fetch.h"

namespace ferry::auth::post_connection {
namespace {

using nlohmann::json;

constexpr std::string_view kEndpoint = "oauth/token/accessible-resources";

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Atlassian may list one site once per product with the same id (reference §2).
Result<json> unique_sites(const json& resources) {
  if (!resources.is_array()) {
    return Error{Errc::upstream_unreachable,
                 "accessible-resources did not answer with a JSON array of sites"};
  }
  json sites = json::array();
  std::map<std::string, std::size_t> index_of;
  for (const json& site : resources) {
    const std::string id = site.is_object() ? string_field(site, "id") : std::string();
    if (id.empty()) {
      return Error{Errc::upstream_unreachable, "accessible-resources listed a site without an id"};
    }
    auto [it, is_new] = index_of.emplace(id, sites.size());
    if (is_new) {
      sites.push_back(site);
      continue;
    }
    json& kept = sites[it->second];
    if (!site.contains("scopes") || !site["scopes"].is_array()) continue;
    if (!kept.contains("scopes") || !kept["scopes"].is_array()) kept["scopes"] = json::array();
    std::set<json> seen(kept["scopes"].begin(), kept["scopes"].end());
    for (const json& scope : site["scopes"]) {
      if (seen.insert(scope).second) kept["scopes"].push_back(scope);
    }
  }
  return sites;
}

bool site_matches(const json& site, const std::string& subdomain) {
  std::string url = to_lower(string_field(site, "url"));
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url == "https://" + to_lower(subdomain) + ".atlassian.net";
}

std::string join_url(std::string base, std::string_view path) {
  if (base.empty() || base.back() != '/') base += '/';
  base += path;
  return base;
}

}  // namespace

Result<StepOutput> choose_atlassian_site(const json& resources, const SiteRequest& request) {
  auto sites = unique_sites(resources);
  if (!sites) return std::move(sites).error();
  if (sites->empty()) {
    return Error{Errc::not_found,
                 "accessible-resources lists no site: the grant reaches no Atlassian site"};
  }
  StepOutput out;
  auto with_id = [&](const std::string& id) -> const json* {
    for (const json& site : *sites) {
      if (!id.empty() && string_field(site, "id") == id) return &site;
    }
    return nullptr;
  };
  auto with_subdomain = [&](const std::string& subdomain) -> const json* {
    for (const json& site : *sites) {
      if (!subdomain.empty() && site_matches(site, subdomain)) return &site;
    }
    return nullptr;
  };
  const json* chosen = with_id(request.cloud_id);
  if (!chosen && !request.cloud_id.empty()) {
    out.warnings.push_back(
        fmt::format("no accessible site has the cloud id {}", request.cloud_id));
  }
  if (!chosen) chosen = with_subdomain(request.subdomain);
  if (!chosen && !request.subdomain.empty()) {
    out.warnings.push_back(
        fmt::format("no accessible site is https://{}.atlassian.net", request.subdomain));
  }
  if (!chosen) chosen = with_id(request.current_cloud_id);
  out.connection_config["sites"] = *sites;
  if (!chosen && request.ask && sites->size() > 1) {
    out.removed_keys = {"cloudId", "baseUrl"};
    return out;
  }
  if (!chosen) {
    chosen = &(*sites)[0];
    if (!out.warnings.empty()) {
      out.warnings.back() += fmt::format("; using {} instead", string_field(*chosen, "url"));
    }
  }
  out.connection_config["cloudId"] = string_field(*chosen, "id");
  out.connection_config["baseUrl"] = string_field(*chosen, "url");
  return out;
}

Result<StepOutput> choose_atlassian_site(const json& resources, const std::string& subdomain) {
  SiteRequest request;
  request.subdomain = subdomain;
  return choose_atlassian_site(resources, request);
}

boost::asio::awaitable<Result<StepOutput>> atlassian_accessible_resources(
    http::Exchange& client, const StepInput& input) {
  http::FetchRequest request;
  request.url = join_url(input.integration.requests.base_url, kEndpoint);
  request.headers.push_back({"Authorization",
                             "Bearer " + input.connection.credentials.access_token,
                             "the connection's access token"});
  request.headers.push_back({"Accept", "application/json", http::kFromFerry});
  if (input.integration.http_request_timeout && input.integration.http_request_timeout->count() > 0) {
    request.timeout = *input.integration.http_request_timeout;
  }
  auto response = co_await http::fetch(client, std::move(request));
  if (!response) co_return response.error();
  if (response->status == 401 || response->status == 403) {
    co_return Error{Errc::upstream_auth_failed,
                    fmt::format("accessible-resources refused the new access token ({})",
                                response->status)};
  }
  if (response->status != 200) {
    co_return Error{Errc::upstream_unreachable,
                    fmt::format("accessible-resources answered {}", response->status)};
  }
  json resources = json::parse(response->body, nullptr, false);
  SiteRequest site;
  if (input.params.is_object()) {
    site.subdomain = string_field(input.params, "subdomain");
    site.cloud_id = string_field(input.params, "cloudId");
  }
  // The site a reconnect had, unless the connect call named one (params are merged into
  // the connection's config before the step runs).
  if (site.cloud_id.empty() && input.connection.connection_config.is_object()) {
    site.current_cloud_id = string_field(input.connection.connection_config, "cloudId");
  }
  site.ask = input.integration.site_selection == config::SiteSelection::ask;
  co_return choose_atlassian_site(resources, site);
}

}  // namespace ferry::auth::post_connection
