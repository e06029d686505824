#pragma once

#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /dashboard/api/overview: the dashboard's charts, services->metric_history as JSON
// (observe/metric_history.h: per integration, requests, errors, p50/p99 latency and token
// refreshes for each 10-second interval of the last hour). Needs the secret key. Registered
// only when services->metric_history is set.
void register_overview(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
