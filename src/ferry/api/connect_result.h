#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/http/message.h"

namespace ferry::api {

// How the browser-facing OAuth endpoints (GET /oauth/connect/…, GET /oauth/callback) end.
//
// Both run in the popup that @nangohq/frontend or Ferry's frontend SDK opened, so they end
// in a small HTML page that posts {eventType: 'AUTHORIZATION_SUCEEDED' | 'AUTHORIZATION_FAILED',
// data: {providerConfigKey, connectionId[, error: {type, message}]}} to window.opener (the
// spelling is Nango's), with the flow's origin as postMessage's target origin (never '*':
// see flow_origin.h), and closes itself after success; a failure stays visible with its
// message. The websocket client of the flow, if any, gets the same outcome as a
// success/error message. The connect endpoint answers an error as JSON ({"error":{"code":
// <type>,"message"}}) instead when it was called without a ws_client_id by a client that
// does not accept text/html (a script, not a popup). Error pages carry the HTTP status of
// the failure.

// A failed connect or callback: the HTTP status, Nango's error_type (e.g. "state_err",
// "callback_err", "token_err", "unknown_config_key") and one sentence for the user.
struct ConnectFailure {
  http::StatusCode status;
  std::string type;
  std::string message;
};

// `text` safe as HTML text or a quoted attribute value (& < > " ' escaped).
std::string escape_html(std::string_view text);

// A failure for `error`, with the HTTP status of its Errc.
ConnectFailure failure_from(const Error& error, std::string type);

// Which flow a page or message is about.
struct FlowIdentity {
  std::string provider_config_key;
  std::string connection_id;
};

// The websocket messages of the @nangohq/frontend protocol. An error's error_desc keeps
// the first kMaxWebsocketErrorBytes of the message (cut between UTF-8 characters): a
// provider's error text may be long, the page shows one line, and the message must fit an
// announcement to the other instances (flow_results.h).
inline constexpr std::size_t kMaxWebsocketErrorBytes = 1000;
nlohmann::json ws_success(const FlowIdentity& flow);
nlohmann::json ws_error(const ConnectFailure& failure);

// The callback page for a success or a failure. `target_origin` is the http(s) origin the
// page posts its message to (an origin, never '*'); `version` is the request's HTTP version.
http::Response success_page(const FlowIdentity& flow, const std::string& target_origin,
                            unsigned version);
http::Response failure_page(const FlowIdentity& flow, const ConnectFailure& failure,
                            const std::string& target_origin, unsigned version);

// The page behind a connect session's connect_link: a redirect to
// /oauth/connect/<key>?connect_session_token=<token>[&origin=<origin>] when `integrations`
// has exactly one key, else a list of such links, one per key. `origin` (may be empty) is the
// origin of the page that opened the link.
http::Response connect_chooser(const std::vector<std::string>& integrations,
                               const std::string& token, const std::string& origin,
                               unsigned version);

// The JSON error form of `failure` ({"error":{"code":type,"message":…}}).
http::Response failure_json(const ConnectFailure& failure, unsigned version);

}  // namespace ferry::api
