#pragma once

#include <boost/asio/awaitable.hpp>

#include "ferry/http/message.h"

namespace ferry::actions {

class ActionRunner;
class AsyncActions;

// The response header naming a run's exec ID (the "#XXXXXXXX" of its log lines).
inline constexpr const char* kExecIdHeader = "X-Ferry-Exec-Id";

// POST /action/trigger (DESIGN.md §6), after the secret key was checked: runs the action
// named by the body {"action_name": ..., "input": ...} for the connection named by the
// Connection-Id and Provider-Config-Key headers. Suspends while the action runs; never
// throws. Answers
//   200 with the action's output as the whole body;
//   400 for a missing header, a body that is not a JSON object, a missing action_name, an
//       X-Async other than "true"/"false", or an X-Max-Retries other than 0 (Ferry runs an
//       action once: retries it is asked for are refused, not silently skipped);
//   404 for an unknown integration, action or connection;
//   500 {"error":{"code":"action_failed","message":...,"payload":...}} when the action fails
//       (payload: the table given to error{...}, else null);
//   503 when too many actions are running.
// Every answer of a started run carries the exec ID in X-Ferry-Exec-Id.
//
// With `X-Async: true` (Nango's triggerActionAsync) the same checks run (400, 404, 503 as
// above), then the action starts in the background on `async_actions` and the answer is at
// once 202 {"id": "<uuid>", "statusUrl": "/action/<uuid>"} with a Location header naming the
// status URL; GET /action/{id} gives the result (async_status.h). Without `async_actions`
// (null) an asynchronous trigger answers 503. `request` must outlive the call.
boost::asio::awaitable<http::Response> trigger_action(ActionRunner& runner,
                                                      AsyncActions* async_actions,
                                                      const http::Request& request);

}  // namespace ferry::actions
