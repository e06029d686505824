#pragma once

// The Atlassian site a connection works on, chosen by its user (DESIGN.md §1, jira:v0's
// post-connection step; integrations.yaml `site_selection: ask`).
//
// When the post-connection step found several sites and nothing named one, the connection
// is stored with every site in connectionConfig.sites and no cloudId, and the callback
// answers this page instead of its success page: one button per site (name, URL, avatar).
// Each posts to POST /oauth/site a choice token bound to the flow (integration, connection,
// websocket client, the origin the result goes to, 15 minutes) and signed with a key
// derived from the secret key, so any instance sharing the database can take it. The choice
// must be one of the connection's sites; it sets cloudId and baseUrl, then the flow ends as
// the callback would have: the success page and the websocket message. @nangohq/frontend
// and Ferry's SDK wait on the websocket, so the popup simply takes one more step.
//
// The backend can switch a connection's site at any time:
//   PUT /connections/{id}/site?provider_config_key=  {"cloudId": "…"} or {"subdomain": "acme"}
// → 200 {connection_id, provider_config_key, connection_config}; 400 for a site that is not
// among connectionConfig.sites.

#include <memory>
#include <string>

#include "ferry/api/connect_result.h"
#include "ferry/api/services.h"
#include "ferry/http/server/router.h"
#include "ferry/store/types.h"

namespace ferry::api {

// True when `connection` lists several sites and has none chosen.
bool needs_site_choice(const store::Connection& connection);

// The picker page for the flow that just stored `connection`.
http::Response site_choice_page(const Services& services, const FlowIdentity& flow,
                                const std::string& ws_client_id, const std::string& target_origin,
                                const store::Connection& connection, unsigned version);

void register_site_choice(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
