#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// POST /webhooks/incoming/{integration}: a provider's webhook deliveries (today Atlassian's
// Jira dynamic webhooks, registered through api/jira_webhooks.h), forwarded to the backend.
//
// The caller is the provider, not the backend: the request is authenticated by the JWT in
// its Authorization header (HS256 under the integration's client secret, as Atlassian signs
// the deliveries of OAuth 2.0 apps; webhooks/hs256_jwt.h), checked before the body is read.
// Then the delivery (a JSON object of at most 1 MiB) is routed to the integration's
// connections on its site (webhooks/atlassian_routing.h) and written to the outbox as one
// Nango forward webhook per connection (events/forwarded_webhook.h); one that matches no
// connection is kept as an unroutable row (GET /webhooks/deliveries?state=unroutable).
// Answers 200 {"forwarded": N} once written, so the provider does not send it again.
// Errors: 404 unknown integration or one that takes no webhooks; 401 a missing or bad JWT;
// 503 when ferry.yaml has no webhook_url (nothing could be forwarded: the provider retries
// later); 400 a body that is not a JSON object; 413 over 1 MiB.
void register_incoming_webhooks(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
