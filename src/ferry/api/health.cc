#include "ferry/api/health.h"

#include "ferry/http/json.h"

namespace ferry::api {

void register_health(http::Router& router) {
  router.add(http::Verb::get, "/health",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               co_return http::json_response(http::StatusCode::ok, {{"status", "ok"}},
                                             ctx.request.version());
             });
}

}  // namespace ferry::api
