#pragma once

#include <nlohmann/json.hpp>

#include "ferry/core/result.h"
#include "ferry/http/message.h"

namespace ferry::http {

// The one table from Errc to HTTP status: 400 invalid_argument, 401 unauthorized, 404 not_found,
// 405 method_not_allowed, 409 conflict, 413 payload_too_large, 424 upstream_auth_failed,
// 429 too_many_requests,
// 500 internal/action_failed/config_invalid/storage_corrupt, 502 upstream_unreachable,
// 503 unavailable, 504 upstream_timeout, 403 egress_forbidden/forbidden, 410 deprecated_endpoint.
StatusCode http_status(Errc code);

// A response with `body` serialised as JSON and Content-Type application/json.
Response json_response(StatusCode status, const nlohmann::json& body, unsigned version = 11);

// The error envelope {"error":{"code":"<errc name>","message":"<message>"}} with the status
// of http_status(error.code) and the header `X-Ferry-Error: <errc name>`, which tells Ferry's
// own errors from upstream answers the proxy relays. `extra` fields (e.g. "payload") are
// added inside "error".
Response error_response(const Error& error, unsigned version = 11,
                        const nlohmann::json& extra = nlohmann::json::object());

// The request body parsed as JSON. Errc::invalid_argument naming the parse position when it
// is not JSON; an empty body is an error too.
Result<nlohmann::json> parse_json_body(const Request& request);

}  // namespace ferry::http
