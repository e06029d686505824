#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/api/services.h"

namespace ferry::api {

// Hands an OAuth flow's outcome (a websocket message of websocket.h) to the
// @nangohq/frontend client `ws_client_id`, whichever Ferry instance it is connected to:
// this process's client when it holds it, else, when the store has peers (several
// instances on one database), an announcement to every other instance, made on the
// blocking pool so the caller never waits for the database (a failure is logged). An id
// that cannot be one of ours (not a uuid) is not announced. Callable from any thread.
void deliver_flow_result(const Services& services, const std::string& ws_client_id,
                         const nlohmann::json& message);

}  // namespace ferry::api
