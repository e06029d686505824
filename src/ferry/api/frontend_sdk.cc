#include "ferry/api/frontend_sdk.h"

#include "ferry/api/embedded_web.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

constexpr std::string_view kSdkFile = "ferry-frontend.js";

const std::string* sdk_text() {
  for (const EmbeddedFile& file : embedded_web_files()) {
    if (file.name == kSdkFile) return &file.text;
  }
  return nullptr;
}

}  // namespace

void register_frontend_sdk(http::Router& router) {
  router.add(http::Verb::get, "/sdk/ferry-frontend.js",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               const std::string* text = sdk_text();
               if (!text) {
                 co_return http::error_response(
                     Error{Errc::internal, "this build has no frontend SDK"},
                     ctx.request.version());
               }
               http::Response response{http::StatusCode::ok, ctx.request.version()};
               response.set(http::bhttp::field::content_type,
                            "application/javascript; charset=utf-8");
               response.set(http::bhttp::field::cache_control, "public, max-age=300");
               // Pages on any origin load it, also as a module through fetch().
               response.set(http::bhttp::field::access_control_allow_origin, "*");
               response.set("X-Content-Type-Options", "nosniff");
               response.body() = *text;
               response.prepare_payload();
               co_return response;
             });
}

}  // namespace ferry::api
