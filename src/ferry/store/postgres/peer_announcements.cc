#include "ferry/store/postgres/peer_announcements.h"

#include <utility>

namespace ferry::store::pg {
namespace {

using nlohmann::json;

// The string member `name` of `object`, or nullopt.
std::optional<std::string> string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

ConnectionChange decode_connection_change(std::string_view payload) {
  const json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return {};
  ConnectionChange change;
  change.instance = string_member(object, "instance").value_or("");
  auto integration = string_member(object, "provider_config_key");
  auto connection = string_member(object, "connection_id");
  if (integration && connection && !object.contains("all")) {
    change.key = ConnectionKey{std::move(*integration), std::move(*connection)};
  }
  return change;
}

Result<std::string> encode_flow_result(const FlowResult& result) {
  std::string payload = json{{"instance", result.instance},
                             {"ws_client_id", result.ws_client_id},
                             {"message", result.message}}
                            .dump(-1, ' ', false, json::error_handler_t::replace);
  if (payload.size() > kMaxPayloadBytes) {
    return Error{Errc::invalid_argument,
                 "the OAuth flow result is too large to announce to other instances (" +
                     std::to_string(payload.size()) + " bytes; at most " +
                     std::to_string(kMaxPayloadBytes) + ")"};
  }
  return payload;
}

std::optional<FlowResult> decode_flow_result(std::string_view payload) {
  json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  auto client = string_member(object, "ws_client_id");
  auto message = object.find("message");
  if (!client || client->empty() || message == object.end() || !message->is_object()) {
    return std::nullopt;
  }
  FlowResult result;
  result.instance = string_member(object, "instance").value_or("");
  result.ws_client_id = std::move(*client);
  result.message = std::move(*message);
  return result;
}

}  // namespace ferry::store::pg
