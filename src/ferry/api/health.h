#pragma once

#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /health: {"status":"ok"}. Needs no API key, so load balancers can probe it.
void register_health(http::Router& router);

}  // namespace ferry::api
