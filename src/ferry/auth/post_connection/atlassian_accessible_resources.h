#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/auth/post_connection/post_connection.h"
#include "ferry/core/result.h"

namespace ferry::auth::post_connection {

// Atlassian's cloud-id discovery (reference/atlassian.md §2): every Jira or Confluence call
// goes through https://api.atlassian.com/ex/<product>/<cloudId>/..., and the cloudId comes
// from GET <base_url>oauth/token/accessible-resources with the new access token.

// What names the site of a new grant.
struct SiteRequest {
  std::string subdomain;         // connect-time params[subdomain]: https://<it>.atlassian.net
  std::string cloud_id;          // connect-time params[cloudId]
  std::string current_cloud_id;  // the connection's site before this grant (a reconnect)
  bool ask = false;              // site_selection: ask (else first)
};

// The site choice, pure: from the accessible-resources answer (an array of {id, name, url,
// scopes, avatarUrl}), `connection_config` gets `sites`: every site once (deduplicated by
// id, the scopes of duplicates united), and cloudId and baseUrl of the site that
// `request.cloud_id`, else `request.subdomain` (case-insensitive), else
// `request.current_cloud_id` names; with none of them among the sites, the first site, or,
// when `request.ask` and there are several, no site at all: cloudId and baseUrl are then
// removed (removed_keys) and the user chooses (api/site_choice.h). A named site that is not
// accessible is a warning. Errc::upstream_unreachable when the answer is not an array of
// sites with ids, Errc::not_found when it lists no site (the grant reaches none).
Result<StepOutput> choose_atlassian_site(const nlohmann::json& resources,
                                         const SiteRequest& request);
// The same with only a subdomain (site_selection: first).
Result<StepOutput> choose_atlassian_site(const nlohmann::json& resources,
                                         const std::string& subdomain);

// The step "atlassian_accessible_resources". Suspends. Errors as choose_atlassian_site(),
// plus the fetch's (unreachable, timeout) and Errc::upstream_auth_failed when the endpoint
// answers 401/403.
boost::asio::awaitable<Result<StepOutput>> atlassian_accessible_resources(
    http::Exchange& client, const StepInput& input);

}  // namespace ferry::auth::post_connection
