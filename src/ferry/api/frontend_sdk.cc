#include "ferry/api/frontend_sdk.h"

#include "ferry/api/embedded_file_response.h"
#include "ferry/api/embedded_web.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

constexpr std::string_view kSdkFile = "ferry-frontend.js";

}  // namespace

void register_frontend_sdk(http::Router& router) {
  router.add(http::Verb::get, "/sdk/ferry-frontend.js",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               const EmbeddedFile* file = find_embedded_file(embedded_web_files(), kSdkFile);
               if (!file) {
                 co_return http::error_response(
                     Error{Errc::internal, "this build has no frontend SDK"},
                     ctx.request.version());
               }
               http::Response response = embedded_file_response(
                   *file, "application/javascript; charset=utf-8", ctx.request.version());
               response.set(http::bhttp::field::cache_control, "public, max-age=300");
               // Pages on any origin load it, also as a module through fetch().
               response.set(http::bhttp::field::access_control_allow_origin, "*");
               response.set("X-Content-Type-Options", "nosniff");
               co_return response;
             });
}

}  // namespace ferry::api
