#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The dashboard's connection routes (the secret key or a dashboard session):
//   GET  /dashboard/api/connections?search=&integration=&limit=   rows with health
//   GET  /dashboard/api/connections/{integration}/{connection_id}  one, credentials masked
//   POST /dashboard/api/connections/{integration}/{connection_id}/refresh
//        new tokens now (OAuth 2), then the page as above; 424 when the provider refuses.
void register_dashboard_connections(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
