#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Jira dynamic webhooks of a connection (atlassian/jira_webhook_registrar.h), for the
// backend (secret key). Every route takes ?provider_config_key= and needs an Atlassian
// integration, a connection with a chosen site (connectionConfig.cloudId) and a webhook_url
// in ferry.yaml (where the deliveries are forwarded):
//   POST   /connections/{id}/jira-webhooks       {"webhooks": [{events, jqlFilter,
//          fieldIdsFilter?}]} (or one such object) → 200 {"webhooks": [entry | {errors}]}
//   GET    /connections/{id}/jira-webhooks       → {"webhooks": [entry]} as stored
//   POST   /connections/{id}/jira-webhooks/refresh → {"webhooks": [entry]} refreshed now
//   DELETE /connections/{id}/jira-webhooks/{webhookId} → {"success": true}
// Jira sends the deliveries to <server_root_url>/webhooks/incoming/<integration>.
void register_jira_webhooks(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
