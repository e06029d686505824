#pragma once

// How an asynchronous run's outcome is stored, and how a stored run is answered at
// GET /action/{id}. Pure: no store, no clock.
#include <cstddef>
#include <string>

#include "ferry/actions/action_outcome.h"
#include "ferry/http/message.h"
#include "ferry/store/async_actions.h"

namespace ferry::actions {

// What the store keeps of one finished run.
struct StoredResult {
  store::AsyncActionState state = store::AsyncActionState::failed;
  std::string json;  // the output, or the error object {"code","message","payload"?}
};

// `outcome` as stored: succeeded with the output's JSON text; failed with the error object
// the synchronous trigger would answer inside "error" (payload only for action_failed).
// Output (or an error payload) longer than `max_bytes` becomes a failure saying so (the
// error keeps its code and message, without the payload).
StoredResult stored_result(const ActionOutcome& outcome, std::size_t max_bytes);

// The answer to GET /action/{id} for `run` (Nango's getAsyncActionResult):
//   200 with the stored output as the whole body, once the run succeeded;
//   the synchronous trigger's error answer once it failed (500 action_failed with
//       "payload", or the status of the stored code);
//   404 {"error":{"code":"not_found",...}} while it is running: Nango answers a run not yet
//       done as an unknown id, so pollers written for it keep polling; the message says it
//       has not finished.
// 500 storage_corrupt when the stored JSON does not parse.
http::Response async_result_response(const store::AsyncActionRun& run, unsigned version);

}  // namespace ferry::actions
