#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /logs (secret key): the activity log, newest first, filtered as parse_log_filter
// reads the query (connection_id, integration, type, status, from, to, search, after_id,
// limit), as {"logs": [{id, timestamp, level, type, integration, connection_id, method, url,
// status, duration_ms, bytes_in, bytes_out, attempts, message, details}]}.
// GET /logs/{id} (secret key): one entry, the same object, or 404 not_found.
// Entries queued before the call are written first, so a caller reads its own calls.
void register_logs(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
