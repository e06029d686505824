#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /logs?connection_id=&integration=&limit= (secret key): the activity log, newest
// first, as {"logs": [{id, timestamp, level, type, integration, connection_id, method, url,
// status, duration_ms, bytes_in, bytes_out, attempts, message, details}]}. Entries queued
// before the call are written first, so a caller reads its own calls.
void register_logs(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
