#include "ferry/api/overview.h"

#include "ferry/api/authorization.h"
#include "ferry/http/json.h"
#include "ferry/observe/metric_history.h"

namespace ferry::api {

void register_overview(http::Router& router, std::shared_ptr<const Services> services) {
  if (!services->metric_history) return;
  http::Handler handler = [history = services->metric_history](
                              http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    co_return http::json_response(http::StatusCode::ok, history->to_json(), ctx.request.version());
  };
  router.add(http::Verb::get, "/dashboard/api/overview",
             require_backend_access(services, std::move(handler)));
}

}  // namespace ferry::api
