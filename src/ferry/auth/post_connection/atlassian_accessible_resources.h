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

// The site choice, pure: from the accessible-resources answer (an array of {id, name, url,
// scopes, avatarUrl}), `connection_config` gets cloudId and baseUrl of the site whose url is
// https://<subdomain>.atlassian.net (case-insensitive) when a subdomain is given, else of
// the first site, and `sites`: every site once (deduplicated by id, the scopes of
// duplicates united). A subdomain that matches no site falls back to the first site with a
// warning. Errc::upstream_unreachable when the answer is not an array of sites with ids,
// Errc::not_found when it lists no site (the grant reaches none).
Result<StepOutput> choose_atlassian_site(const nlohmann::json& resources,
                                         const std::string& subdomain);

// The step "atlassian_accessible_resources". Suspends. Errors as choose_atlassian_site(),
// plus the fetch's (unreachable, timeout) and Errc::upstream_auth_failed when the endpoint
// answers 401/403.
boost::asio::awaitable<Result<StepOutput>> atlassian_accessible_resources(
    http::Exchange& client, const StepInput& input);

}  // namespace ferry::auth::post_connection
