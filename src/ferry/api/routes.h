#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Registers every REST endpoint of DESIGN.md §3 on `router`. Handlers keep `services` alive.
void register_routes(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
