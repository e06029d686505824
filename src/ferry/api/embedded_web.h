#pragma once

#include <vector>

#include "ferry/config/embedded_catalog.h"

namespace ferry::api {

using config::EmbeddedFile;

// The repository's web/ files the API serves (ferry-frontend.js), sorted by name.
// Generated at build time.
const std::vector<EmbeddedFile>& embedded_web_files();

}  // namespace ferry::api
