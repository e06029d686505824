#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// POST /action/trigger and GET /action/{id} (an asynchronous run's result) behind the secret
// key (actions/trigger.h and actions/async_status.h do the work). Without an action runner
// in `services` the trigger answers 503 "actions are not available"; without
// `async_actions`, asynchronous triggers and GET /action/{id} answer 503.
void register_actions(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
