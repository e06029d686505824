#pragma once

// The dashboard's files, built into the binary (Services::dashboard_files): index.html at `/`
// and its script and style sheet under /dashboard/assets/. They hold no data (every datum
// comes from the API after sign-in), so they are served without authentication, under a
// Content-Security-Policy that allows only this origin's scripts, styles and connections.
#include "ferry/api/services.h"
#include "ferry/http/message.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The answer to GET / (and HEAD /) that is not a websocket upgrade: index.html, or a 404
// saying the dashboard is not built into this binary.
http::Response dashboard_index(const Services& services, http::bhttp::verb method,
                               unsigned version);

// GET /dashboard/assets/{file}, and GET / when no websocket endpoint shares the path.
void register_dashboard_pages(http::Router& router, std::shared_ptr<const Services> services,
                              bool serve_index);

}  // namespace ferry::api
