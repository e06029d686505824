#pragma once

// The webhook outbox through the REST API (secret key or dashboard session):
//   GET  /webhooks/deliveries               events newest first, with their attempts:
//        ?state=pending|delivered|dead &integration= &connection_id=
//        &limit= (default 100, at most 500; 0 = 500)
//        &before=<seq> (the next page: the previous answer's next_before)
//   POST /webhooks/deliveries/{id}/replay   sends a delivered or dead event again (its
//        eventId unchanged); 404 for an unknown id, 409 while it is still pending.
#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

void register_webhook_deliveries(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
