#include "ferry/api/embedded_file_response.h"

namespace ferry::api {

const config::EmbeddedFile* find_embedded_file(const std::vector<config::EmbeddedFile>& files,
                                               std::string_view name) {
  for (const config::EmbeddedFile& file : files) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

http::Response embedded_file_response(const config::EmbeddedFile& file,
                                      std::string_view content_type, unsigned version) {
  http::Response response{http::StatusCode::ok, version};
  response.set(http::bhttp::field::content_type, content_type);
  response.body() = file.text;
  response.prepare_payload();
  return response;
}

}  // namespace ferry::api
