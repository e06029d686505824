#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /metrics: observe::render_prometheus() as text/plain (exposition format 0.0.4). Needs
// the secret key, like every backend endpoint but /health.
void register_metrics(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
