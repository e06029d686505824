#include "ferry/actions/async_result.h"

#include <fmt/format.h>

#include "ferry/http/json.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using store::AsyncActionState;

// Outputs come from scripts: a string that is not UTF-8 is stored with U+FFFD rather than
// refused, as the synchronous answer does.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json error_object(const ActionFailure& failure, bool with_payload) {
  json error = {{"code", errc_name(failure.code)}, {"message", failure.message}};
  if (with_payload && failure.code == Errc::action_failed) error["payload"] = failure.payload;
  return error;
}

std::string too_large(std::string_view what, std::size_t size, std::size_t max_bytes) {
  return fmt::format(
      "the action's {} is {} bytes of JSON; an asynchronous result holds at most {} bytes", what,
      size, max_bytes);
}

}  // namespace

StoredResult stored_result(const ActionOutcome& outcome, std::size_t max_bytes) {
  if (outcome.ok()) {
    std::string output = dump(outcome.output);
    if (output.size() <= max_bytes) return {AsyncActionState::succeeded, std::move(output)};
    ActionFailure failure{Errc::action_failed, too_large("output", output.size(), max_bytes),
                          nullptr, ""};
    return {AsyncActionState::failed, dump(error_object(failure, true))};
  }
  std::string error = dump(error_object(*outcome.failure, true));
  if (error.size() <= max_bytes) return {AsyncActionState::failed, std::move(error)};
  ActionFailure shortened = *outcome.failure;
  shortened.message = fmt::format("{} ({})", shortened.message,
                                  too_large("error payload", error.size(), max_bytes));
  if (shortened.message.size() > max_bytes / 2) shortened.message.resize(max_bytes / 2);
  json bare = error_object(shortened, false);
  if (shortened.code == Errc::action_failed) bare["payload"] = nullptr;
  return {AsyncActionState::failed, dump(bare)};
}

http::Response async_result_response(const store::AsyncActionRun& run, unsigned version) {
  if (run.state == AsyncActionState::running) {
    return http::error_response(
        Error{Errc::not_found, fmt::format("action '{}' has not finished yet", run.id)}, version);
  }
  json stored = json::parse(run.result, nullptr, false);
  if (stored.is_discarded()) {
    return http::error_response(
        Error{Errc::storage_corrupt,
              fmt::format("the stored result of action '{}' is not JSON", run.id)},
        version);
  }
  if (run.state == AsyncActionState::succeeded) {
    return http::json_response(http::StatusCode::ok, stored, version);
  }
  // A failure is stored as the error object stored_result() made.
  std::optional<Errc> code;
  std::string message = "the action failed";
  json extra = json::object();
  if (stored.is_object()) {
    if (auto it = stored.find("code"); it != stored.end() && it->is_string()) {
      code = errc_from_name(it->get<std::string>());
    }
    if (auto it = stored.find("message"); it != stored.end() && it->is_string()) {
      message = it->get<std::string>();
    }
    if (auto it = stored.find("payload"); it != stored.end()) extra["payload"] = *it;
  }
  return http::error_response(Error{code.value_or(Errc::action_failed), std::move(message)},
                              version, extra);
}

}  // namespace ferry::actions
