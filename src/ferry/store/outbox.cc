#include "ferry/store/outbox.h"

#include <array>
#include <utility>

namespace ferry::store {
namespace {

constexpr std::array<std::pair<OutboxState, std::string_view>, 4> kStateNames = {{
    {OutboxState::pending, "pending"},
    {OutboxState::delivered, "delivered"},
    {OutboxState::dead, "dead"},
    {OutboxState::unroutable, "unroutable"},
}};

}  // namespace

std::string_view outbox_state_name(OutboxState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "pending";
}

std::optional<OutboxState> outbox_state_from_name(std::string_view name) {
  for (const auto& [value, known] : kStateNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

nlohmann::json append_attempt(nlohmann::json log, const OutboxAttempt& attempt) {
  if (!log.is_array()) log = nlohmann::json::array();
  log.push_back({{"at", format_iso8601(attempt.at)},
                 {"status", attempt.status},
                 {"error", attempt.error},
                 {"duration_ms", attempt.duration_ms}});
  while (log.size() > kMaxLoggedAttempts) log.erase(log.begin());
  return log;
}

}  // namespace ferry::store
