#include "ferry/api/openapi.h"

#include "ferry/api/embedded_file_response.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

constexpr std::string_view kDocumentFile = "ferry.openapi.json";

}  // namespace

const std::string* openapi_document() {
  const EmbeddedFile* file = find_embedded_file(embedded_openapi_files(), kDocumentFile);
  return file ? &file->text : nullptr;
}

void register_openapi(http::Router& router) {
  router.add(http::Verb::get, "/openapi.json",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               const EmbeddedFile* file =
                   find_embedded_file(embedded_openapi_files(), kDocumentFile);
               if (!file) {
                 co_return http::error_response(
                     Error{Errc::internal, "this build has no API description"},
                     ctx.request.version());
               }
               http::Response response =
                   embedded_file_response(*file, "application/json", ctx.request.version());
               response.set(http::bhttp::field::cache_control, "public, max-age=300");
               // Documentation tools on any origin may read it.
               response.set(http::bhttp::field::access_control_allow_origin, "*");
               co_return response;
             });
}

}  // namespace ferry::api
