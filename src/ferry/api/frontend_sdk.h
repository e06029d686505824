#pragma once

#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /sdk/ferry-frontend.js (no key): the frontend SDK (web/ferry-frontend.js, compiled
// into the binary), as application/javascript.
void register_frontend_sdk(http::Router& router);

}  // namespace ferry::api
