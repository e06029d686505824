#include "ferry/api/metrics.h"

#include "ferry/api/authorization.h"
#include "ferry/observe/metrics.h"

namespace ferry::api {

void register_metrics(http::Router& router, std::shared_ptr<const Services> services) {
  http::Handler handler = [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    http::Response response{http::StatusCode::ok, ctx.request.version()};
    response.set(http::bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = observe::render_prometheus();
    response.prepare_payload();
    co_return response;
  };
  // No project (a router built for inspection) keeps the default.
  const bool is_open =
      services->project && services->project->server.metrics_auth == config::MetricsAuth::none;
  if (is_open) {
    router.add(http::Verb::get, "/metrics", std::move(handler));
    return;
  }
  router.add(http::Verb::get, "/metrics", require_backend_access(services, std::move(handler)));
}

}  // namespace ferry::api
