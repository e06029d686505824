#pragma once

// Answering with a file compiled into the binary (the frontend SDK, the OpenAPI description,
// the dashboard's files). Each route adds its own caching and security headers.
#include <string_view>
#include <vector>

#include "ferry/config/embedded_catalog.h"
#include "ferry/http/message.h"

namespace ferry::api {

// The file called `name` in `files`, or null.
const config::EmbeddedFile* find_embedded_file(const std::vector<config::EmbeddedFile>& files,
                                               std::string_view name);

// 200 with the file's bytes as the body, `content_type`, and Content-Length.
http::Response embedded_file_response(const config::EmbeddedFile& file,
                                      std::string_view content_type, unsigned version);

}  // namespace ferry::api
