#include "ferry/api/actions.h"

#include "ferry/actions/trigger.h"
#include "ferry/api/authorization.h"
#include "ferry/http/json.h"

namespace ferry::api {

void register_actions(http::Router& router, std::shared_ptr<const Services> services) {
  http::Handler trigger = [services](http::RequestContext& ctx)
      -> boost::asio::awaitable<http::Response> {
    if (!services->actions) {
      co_return http::error_response(Error{Errc::unavailable, "actions are not available"},
                                     ctx.request.version());
    }
    auto response = co_await actions::trigger_action(*services->actions, ctx.request);
    co_return response;
  };
  router.add(http::Verb::post, "/action/trigger", require_backend_access(services, std::move(trigger)));
}

}  // namespace ferry::api
