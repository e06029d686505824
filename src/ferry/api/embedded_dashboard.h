#pragma once

#include <vector>

#include "ferry/config/embedded_catalog.h"

namespace ferry::api {

using config::EmbeddedFile;

// The web dashboard as built by web/dashboard/build.sh: dashboard.css, dashboard.js and
// index.html, sorted by name. Generated at build time.
const std::vector<EmbeddedFile>& embedded_dashboard_files();

}  // namespace ferry::api
