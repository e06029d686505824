#pragma once

// Helpers for the webhook outbox's rows (OutboxEvent and friends in store/types.h).
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/store/types.h"

namespace ferry::store {

// "pending", "delivered", "dead", "unroutable"; and back (nullopt for anything else).
std::string_view outbox_state_name(OutboxState state);
std::optional<OutboxState> outbox_state_from_name(std::string_view name);

// The row's attempt log with `attempt` appended, keeping the newest kMaxLoggedAttempts.
nlohmann::json append_attempt(nlohmann::json log, const OutboxAttempt& attempt);

}  // namespace ferry::store
