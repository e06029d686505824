#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /metrics: observe::render_prometheus() as text/plain (exposition format 0.0.4). With
// ferry.yaml's `metrics_auth: secret_key` (the default) it needs backend access, like every
// backend endpoint but /health; with `metrics_auth: none` it needs nothing, for scrapers
// that send no credentials (label values never hold secrets: see observe/metrics.h).
void register_metrics(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
