#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "ferry/http/message.h"

namespace ferry::actions {

class AsyncActions;

// GET /action/{id} (Nango's getAsyncActionResult), after the secret key was checked: the
// run's answer as async_result_response() gives it, or 404 {"error":{"code":"not_found",
// "message":"No action '<id>' found"}} for an id unknown in this environment (never
// started, pruned after the retention, or another environment's). Suspends on the store
// read; never throws.
boost::asio::awaitable<http::Response> answer_async_action(AsyncActions& async_actions,
                                                           std::string id, unsigned version);

}  // namespace ferry::actions
