#include "ferry/actions/async_status.h"

#include "ferry/actions/async_actions.h"
#include "ferry/actions/async_result.h"
#include "ferry/http/json.h"

namespace ferry::actions {

boost::asio::awaitable<http::Response> answer_async_action(AsyncActions& async_actions,
                                                           std::string id, unsigned version) {
  auto run = co_await async_actions.find(std::move(id));
  if (!run) co_return http::error_response(run.error(), version);
  co_return async_result_response(*run, version);
}

}  // namespace ferry::actions
