#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/core/error.h"

namespace ferry::actions {

// What one Lua run may consume. Time spent waiting for HTTP does not count against
// cpu_time, but it does against wall_time.
struct ActionLimits {
  std::size_t memory_bytes = 64 * 1024 * 1024;  // everything the run's Lua state allocates
  std::chrono::milliseconds cpu_time{10'000};   // time spent running Lua code
  std::chrono::milliseconds wall_time{300'000}; // from start to end, HTTP waits included
};

// Why a run failed. `code` is action_failed for anything the action did (error{...}, a
// runtime error, a limit, an output that is not JSON); not_found for an unknown action,
// integration or connection; unavailable when too many runs are in flight. `payload` is
// the table given to error{...} (null otherwise).
struct ActionFailure {
  Errc code = Errc::action_failed;
  std::string message;
  nlohmann::json payload;
  // The ActionLimits member that stopped the run ("cpu_time", "memory", "wall_time"); ""
  // when no limit did.
  std::string limit;
};

// The end of one trigger: the output, or the failure. `exec_id` names the run in the log.
struct ActionOutcome {
  std::string exec_id;
  nlohmann::json output;
  std::optional<ActionFailure> failure;

  bool ok() const { return !failure.has_value(); }
};

}  // namespace ferry::actions
