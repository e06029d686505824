#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// POST /action/trigger behind the secret key (actions/trigger.h does the work). Without an
// action runner in `services` the route answers 503 "actions are not available".
void register_actions(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
