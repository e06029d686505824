#include "ferry/api/actions.h"

#include "ferry/actions/async_status.h"
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
    auto response = co_await actions::trigger_action(
        *services->actions, services->async_actions.get(), ctx.request);
    co_return response;
  };
  // Literal first: /action/trigger must not match /action/{id}.
  router.add(http::Verb::post, "/action/trigger", require_backend_access(services, std::move(trigger)));

  http::Handler result = [services](http::RequestContext& ctx)
      -> boost::asio::awaitable<http::Response> {
    if (!services->async_actions) {
      co_return http::error_response(
          Error{Errc::unavailable, "asynchronous actions are not available"},
          ctx.request.version());
    }
    auto response = co_await actions::answer_async_action(
        *services->async_actions, ctx.path_params.at("id"), ctx.request.version());
    co_return response;
  };
  router.add(http::Verb::get, "/action/{id}",
             require_backend_access(services, std::move(result)));
}

}  // namespace ferry::api
