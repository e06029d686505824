#pragma once

#include <string>
#include <vector>

#include "ferry/config/embedded_catalog.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

using config::EmbeddedFile;

// openapi/ferry.openapi.json of the repository. Generated at build time.
const std::vector<EmbeddedFile>& embedded_openapi_files();

// The OpenAPI 3.1 description of the REST API built into this binary, or nullptr when the
// build has none.
const std::string* openapi_document();

// GET /openapi.json (no key): openapi_document() as application/json; 500 when the build
// has no description.
void register_openapi(http::Router& router);

}  // namespace ferry::api
