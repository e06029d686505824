#pragma once

// Jira dynamic webhooks for one connection (docs/atlassian.md): registered through
// Jira's REST API with the connection's own token, so Jira sends the site's events to
// Ferry's POST /webhooks/incoming/{integration}; kept in the connection's connection_config
// (atlassian/jira_webhook_list.h) with their ids and expiry; refreshed before the 30 days
// after which Jira drops them; deleted on request.
//
// Every call goes through `send`: the proxy's own path for the connection (credentials and
// refresh, retries, rate limits, activity log), to /ex/jira/${connectionConfig.cloudId}/
// rest/api/3/webhook…, so the connection's chosen site is the one registered on.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/actions/action_http.h"
#include "ferry/atlassian/jira_webhook_list.h"
#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
}

namespace ferry::atlassian {

// True for an Atlassian integration (one whose post-connection step discovers the site).
bool is_atlassian(const config::Integration& integration);

// Where Jira sends an integration's deliveries: <server_root_url>/webhooks/incoming/<key>.
std::string jira_delivery_url(const config::ServerConfig& server, const std::string& key);

// ok() when Ferry can manage Jira webhooks for `connection` of `integration`: an Atlassian
// integration, a webhook_url to forward deliveries to (`forwarding`), a chosen site
// (connectionConfig.cloudId). Errc::invalid_argument saying what is missing otherwise.
Status check_jira_webhook_target(const config::Integration& integration, bool forwarding,
                                 const store::Connection& connection);

// One upstream call for the connection, answered whole.
using JiraSender =
    std::function<boost::asio::awaitable<Result<actions::ActionResponse>>(actions::ActionRequest)>;

// What to register: Jira's WebhookDetails.
struct JiraWebhookSpec {
  std::vector<std::string> events;
  std::string jql_filter;
  std::vector<std::string> field_ids_filter;
};

// The specs of a request body: {"webhooks": [{events, jqlFilter | jql_filter,
// fieldIdsFilter | field_ids_filter}]} or one such object on its own. At most 20 specs,
// events from Jira's list (jira:issue_created, jira:issue_updated, jira:issue_deleted,
// comment_created, comment_updated, comment_deleted, issue_property_set,
// issue_property_deleted), a non-empty JQL filter of at most 2000 bytes.
// Errc::invalid_argument naming the first problem.
Result<std::vector<JiraWebhookSpec>> parse_jira_webhook_specs(const nlohmann::json& body);

struct RegistrarDependencies {
  store::Store& store;      // called on `blocking` only
  BlockingPool& blocking;
  const Clock& clock;
  std::string delivery_url;  // where Jira sends: <server_root_url>/webhooks/incoming/<key>
};

// Jira's registration lasts this long without a refresh.
inline constexpr std::chrono::hours kJiraWebhookLifetime{24 * 30};

// Registers `specs`, stores those Jira accepted, and answers
// {"webhooks": [<stored entry> | {"errors": [...]} per spec, in order]}.
// Errc::upstream_unreachable when Jira refuses the call (its status and errorMessages in
// the message); the proxy's errors otherwise; the store's when saving fails (the webhooks
// then exist at Jira without Ferry knowing them: the message says so, with their ids).
boost::asio::awaitable<Result<nlohmann::json>> register_jira_webhooks(
    RegistrarDependencies deps, const store::ConnectionKey& key, JiraSender send,
    std::vector<JiraWebhookSpec> specs);

// Refreshes the connection's stored webhooks (all of them), storing the new expiry, or,
// when Jira refuses, the failure as each entry's lastError. Returns the entries as stored.
boost::asio::awaitable<Result<std::vector<JiraWebhook>>> refresh_jira_webhooks(
    RegistrarDependencies deps, const store::ConnectionKey& key, JiraSender send);

// Deletes the webhooks `ids` (all stored ones when empty) at Jira and from the connection.
// Errc::not_found when an id is not one of the connection's.
boost::asio::awaitable<Status> delete_jira_webhooks(RegistrarDependencies deps,
                                                    const store::ConnectionKey& key,
                                                    JiraSender send,
                                                    std::vector<std::int64_t> ids);

// Registers Jira webhooks for an action's connection (nango:register_jira_webhooks): checks
// the target as check_jira_webhook_target(), parses `spec` as parse_jira_webhook_specs() and
// registers through the run's own `send`. Holds the pointers it is given.
using ActionWebhookRegistration = std::function<boost::asio::awaitable<Result<nlohmann::json>>(
    const store::ConnectionKey& key, JiraSender send, nlohmann::json spec)>;
ActionWebhookRegistration action_webhook_registration(
    std::shared_ptr<const config::Project> project, std::shared_ptr<store::Store> store,
    std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock, bool forwarding);

}  // namespace ferry::atlassian
