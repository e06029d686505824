#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::api {

// The bodies of POST /connect/sessions and POST /connect/sessions/reconnect, validated
// (shapes of @nangohq/types' PostConnectSessions and PostPublicConnectSessionsReconnect,
// plus Ferry's optional fixed `connection_id`). Pure.
//
// Create: {end_user: {id, email?, display_name?, tags?} (required unless top-level `tags`
//   is given), organization?: {id, display_name?}, allowed_integrations?: [key...] (not
//   empty), integrations_config_defaults?: {key: {user_scopes?: string | [string],
//   authorization_params?: {name: string}, connection_config?: {...}}}, tags?: {name:
//   string}, overrides?: {...}, webhook_url_override?: string, connection_id?: string}.
// Reconnect: {connection_id, integration_id, end_user?, organization?,
//   integrations_config_defaults?, tags?, overrides?, webhook_url_override?}.
// Ids, names and tag values are 1..255 characters without control characters; at most 64
// tags. Unknown fields, unknown integrations and wrong types are Errc::invalid_argument
// naming the field (e.g. "end_user.email must be a string"). overrides and
// webhook_url_override are accepted and kept, but have no effect in Ferry.

// True when `key` names a configured integration.
using IntegrationExists = std::function<bool(const std::string& key)>;

struct ConnectSessionRequest {
  std::vector<std::string> allowed_integrations;  // empty = every integration
  std::string connection_id;  // the fixed id (create, may be empty) or the reconnect target
  nlohmann::json body;        // the validated body, stored with the session
};

Result<ConnectSessionRequest> parse_connect_session(const nlohmann::json& body,
                                                    const IntegrationExists& exists);
// allowed_integrations is [integration_id].
Result<ConnectSessionRequest> parse_reconnect_session(const nlohmann::json& body,
                                                      const IntegrationExists& exists);

// The end user a session's body names, as Nango's ApiEndUser: {id, email, display_name,
// tags, organization: {id, display_name} | null} with null for what was not given; null
// when the body has no end_user.
nlohmann::json end_user_record(const nlohmann::json& body);

// Nango's EndUserInput ({id, email?, display_name?, tags?}) and a tags object ({name:
// string}, at most 64), checked as in a session's body; `field` names the tags in errors.
Status check_end_user_input(const nlohmann::json& end_user);
Status check_tag_object(const nlohmann::json& tags, const std::string& field);

}  // namespace ferry::api
