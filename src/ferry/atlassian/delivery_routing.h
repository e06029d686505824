#pragma once

// Which connections an Atlassian webhook delivery belongs to (docs/atlassian.md).
// A delivery names its site only through the links it carries ("self" of the issue, comment,
// user..., e.g. https://acme.atlassian.net/rest/api/2/issue/10001); a connection is on a
// site when its connection_config's baseUrl has that origin, or, for a gateway link
// (…/ex/jira/<cloudId>/…), when its cloudId is that id. Several connections may share a
// site. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/store/types.h"

namespace ferry::atlassian {

struct DeliverySite {
  std::string origin;    // "https://acme.atlassian.net", lower case
  std::string cloud_id;  // from a gateway link; "" otherwise
};

// The site of the first http(s) "self" link among the payload's top level and its
// issue, comment, user, worklog, project, sprint and board objects; nullopt when none.
std::optional<DeliverySite> delivery_site(const nlohmann::json& payload);

bool is_on_site(const nlohmann::json& connection_config, const DeliverySite& site);

struct Route {
  std::vector<std::string> connection_ids;  // empty: unroutable
  std::string reason;                       // why it is unroutable; "" when routed
};

// The connections of `connections` the delivery goes to: those on its site; narrowed, when
// the payload's matchedWebhookIds name webhooks some of them registered (connection_config
// jiraWebhooks), to those.
Route route_atlassian_delivery(const nlohmann::json& payload,
                               const std::vector<store::Connection>& connections);

}  // namespace ferry::atlassian
