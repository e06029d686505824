#pragma once

#include <boost/asio/awaitable.hpp>

#include "ferry/http/message.h"

namespace ferry::actions {

class ActionRunner;

// The response header naming a run's exec ID (the "#XXXXXXXX" of its log lines).
inline constexpr const char* kExecIdHeader = "X-Ferry-Exec-Id";

// POST /action/trigger (DESIGN.md §6), after the secret key was checked: runs the action
// named by the body {"action_name": ..., "input": ...} for the connection named by the
// Connection-Id and Provider-Config-Key headers. Suspends while the action runs; never
// throws. Answers
//   200 with the action's output as the whole body;
//   400 for a missing header, a body that is not a JSON object, a missing action_name;
//   404 for an unknown integration, action or connection;
//   500 {"error":{"code":"action_failed","message":...,"payload":...}} when the action fails
//       (payload: the table given to error{...}, else null);
//   503 when too many actions are running.
// Every answer of a started run carries the exec ID in X-Ferry-Exec-Id. `request` must
// outlive the call.
boost::asio::awaitable<http::Response> trigger_action(ActionRunner& runner,
                                                      const http::Request& request);

}  // namespace ferry::actions
