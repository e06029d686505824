#include "ferry/store/async_actions.h"

#include <nlohmann/json.hpp>

namespace ferry::store {

std::string_view async_action_state_name(AsyncActionState state) {
  switch (state) {
    case AsyncActionState::running:
      return "running";
    case AsyncActionState::succeeded:
      return "succeeded";
    case AsyncActionState::failed:
      return "failed";
  }
  return "running";
}

std::optional<AsyncActionState> async_action_state_from_name(std::string_view name) {
  for (auto state :
       {AsyncActionState::running, AsyncActionState::succeeded, AsyncActionState::failed}) {
    if (async_action_state_name(state) == name) return state;
  }
  return std::nullopt;
}

Status check_new_async_action(const AsyncActionRun& run) {
  if (run.id.empty() || run.environment.empty() || run.key.provider_config_key.empty() ||
      run.key.connection_id.empty() || run.action_name.empty()) {
    const std::string what = "run \"" + run.id + "\"";
    return Error{Errc::invalid_argument, "an asynchronous action run needs an id, an environment, "
                                         "a connection and an action name (" + what + ")"};
  }
  if (run.state != AsyncActionState::running) {
    return Error{Errc::invalid_argument,
                 "an asynchronous action run is written running (run \"" + run.id + "\")"};
  }
  return ok();
}

Status check_async_action_result(AsyncActionState state, std::string_view result) {
  if (state == AsyncActionState::running) {
    return Error{Errc::invalid_argument, "a finished asynchronous action is not running"};
  }
  if (result.size() > kMaxAsyncActionResultBytes) {
    return Error{Errc::payload_too_large, "the result of an asynchronous action may hold at most " +
                                              std::to_string(kMaxAsyncActionResultBytes) +
                                              " bytes, not " + std::to_string(result.size())};
  }
  return ok();
}

std::string abandoned_async_action_result() {
  return nlohmann::json{{"code", "action_failed"},
                        {"message", "the action did not finish: the server running it stopped"},
                        {"payload", nullptr}}
      .dump();
}

AsyncActionRun as_seen_at(AsyncActionRun run, TimePoint now) {
  if (run.state == AsyncActionState::running && run.lease_until <= now) {
    run.state = AsyncActionState::failed;
    run.result = abandoned_async_action_result();
  }
  return run;
}

Error async_action_not_found(std::string_view id) {
  return Error{Errc::not_found, "No action '" + std::string(id) + "' found"};
}

Error async_action_not_running(std::string_view id) {
  return Error{Errc::conflict, "asynchronous action " + std::string(id) + " has finished already"};
}

}  // namespace ferry::store
