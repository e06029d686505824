#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store::pg {

// The NOTIFY channels Ferry instances sharing a database announce on, and their payloads.
// Payloads are JSON objects naming the announcing instance ("instance", its ferry.instance
// session setting), so that an instance can ignore its own.

// Written by the connections table's trigger (postgres_migrations.cc, version 2):
// {"instance", "provider_config_key", "connection_id"}, or {"instance", "all": true}.
inline constexpr std::string_view kConnectionChangesChannel = "ferry_connection_changes";
// Written by announce_flow_result(): {"instance", "ws_client_id", "message"}.
inline constexpr std::string_view kFlowResultsChannel = "ferry_flow_results";
// The longest payload NOTIFY accepts (in the default configuration: 8000 bytes, NUL
// included).
inline constexpr std::size_t kMaxPayloadBytes = 7999;

// One connection changed (`key`), or any of them (nullopt).
struct ConnectionChange {
  std::string instance;
  std::optional<ConnectionKey> key;
};

// The change a payload of kConnectionChangesChannel announces. A payload that is not what
// the trigger writes (anyone may NOTIFY) is read as "any connection, by an unknown
// writer": dropping every cached row is always safe.
ConnectionChange decode_connection_change(std::string_view payload);

struct FlowResult {
  std::string instance;
  std::string ws_client_id;
  nlohmann::json message;
};

// The payload for kFlowResultsChannel. Errc::invalid_argument when it exceeds
// kMaxPayloadBytes.
Result<std::string> encode_flow_result(const FlowResult& result);
// The result a payload of kFlowResultsChannel announces; nullopt when it is not one
// (wrong shape, an empty client id, a message that is not an object).
std::optional<FlowResult> decode_flow_result(std::string_view payload);

}  // namespace ferry::store::pg
