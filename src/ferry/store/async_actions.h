#pragma once

// The rows of asynchronous action runs (POST /action/trigger with X-Async: true), and what
// both stores decide about them the same way.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// running: started, no result yet; succeeded: `result` is the action's output; failed:
// `result` is the error object {"code", "message", "payload"?}.
enum class AsyncActionState { running, succeeded, failed };

// One asynchronous run. The trigger writes it running; the run's end writes its result.
struct AsyncActionRun {
  std::string id;           // the id the caller polls with (a UUID)
  std::string environment;  // ferry.yaml's `environment`: a result is only read back in it
  ConnectionKey key;
  std::string action_name;
  AsyncActionState state = AsyncActionState::running;
  std::string result;      // JSON text; empty while running
  TimePoint created_at{};  // epoch: the time of writing
  // A run still running past this never ends: the process running it stopped. Set from the
  // run's wall-time limit, which no live run outlasts.
  TimePoint lease_until{};
  std::optional<TimePoint> finished_at;
};

// The largest result a row holds. A longer output is stored as a failure saying so.
inline constexpr std::size_t kMaxAsyncActionResultBytes = 8 * 1024 * 1024;

// "running", "succeeded", "failed"; and back (nullopt for anything else).
std::string_view async_action_state_name(AsyncActionState state);
std::optional<AsyncActionState> async_action_state_from_name(std::string_view name);

// ok() when `run` can be written: an id, an environment, a connection and an action name,
// state running; else Errc::invalid_argument.
Status check_new_async_action(const AsyncActionRun& run);
// ok() for a finished state and a result of at most kMaxAsyncActionResultBytes;
// Errc::invalid_argument or Errc::payload_too_large otherwise.
Status check_async_action_result(AsyncActionState state, std::string_view result);

// The result JSON text stored for a run whose lease ran out while it was running.
std::string abandoned_async_action_result();

// `run` as a reader must see it at `now`: a running row whose lease ran out is failed with
// abandoned_async_action_result() (whether or not maintenance has marked it yet).
AsyncActionRun as_seen_at(AsyncActionRun run, TimePoint now);

// The columns async action rows are read with, in this order, by both stores.
inline constexpr std::string_view kAsyncActionColumns =
    "id, environment, provider_config_key, connection_id, action_name, state, result, "
    "created_at, lease_until, finished_at";

// Errc::not_found for an id unknown in `environment`; Errc::conflict for a result written to
// a run that is no longer running.
Error async_action_not_found(std::string_view id);
Error async_action_not_running(std::string_view id);

}  // namespace ferry::store
