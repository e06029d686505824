#include "ferry/api/openapi.h"

#include "ferry/http/json.h"

namespace ferry::api {
namespace {

constexpr std::string_view kDocumentFile = "ferry.openapi.json";

}  // namespace

const std::string* openapi_document() {
  for (const EmbeddedFile& file : embedded_openapi_files()) {
    if (file.name == kDocumentFile) return &file.text;
  }
  return nullptr;
}

void register_openapi(http::Router& router) {
  router.add(http::Verb::get, "/openapi.json",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               const std::string* text = openapi_document();
               if (!text) {
                 co_return http::error_response(
                     Error{Errc::internal, "this build has no API description"},
                     ctx.request.version());
               }
               http::Response response{http::StatusCode::ok, ctx.request.version()};
               response.set(http::bhttp::field::content_type, "application/json");
               response.set(http::bhttp::field::cache_control, "public, max-age=300");
               // Documentation tools on any origin may read it.
               response.set(http::bhttp::field::access_control_allow_origin, "*");
               response.body() = *text;
               response.prepare_payload();
               co_return response;
             });
}

}  // namespace ferry::api
