#include "ferry/http/json.h"

#include <fmt/format.h>

#include "ferry/observe/redact.h"

namespace ferry::http {

StatusCode http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return StatusCode::bad_request;
    case Errc::unauthorized: return StatusCode::unauthorized;
    case Errc::not_found: return StatusCode::not_found;
    case Errc::method_not_allowed: return StatusCode::method_not_allowed;
    case Errc::conflict: return StatusCode::conflict;
    case Errc::payload_too_large: return StatusCode::payload_too_large;
    case Errc::too_many_requests: return StatusCode::too_many_requests;
    case Errc::upstream_auth_failed: return StatusCode::failed_dependency;
    case Errc::upstream_unreachable: return StatusCode::bad_gateway;
    case Errc::unavailable: return StatusCode::service_unavailable;
    case Errc::upstream_timeout: return StatusCode::gateway_timeout;
    case Errc::egress_forbidden:
    case Errc::forbidden: return StatusCode::forbidden;
    case Errc::deprecated_endpoint: return StatusCode::gone;
    case Errc::internal:
    case Errc::action_failed:
    case Errc::config_invalid:
    case Errc::storage_corrupt: return StatusCode::internal_server_error;
  }
  return StatusCode::internal_server_error;
}

Response json_response(StatusCode status, const nlohmann::json& body, unsigned version) {
  Response response{status, version};
  response.set(bhttp::field::content_type, "application/json");
  // Invalid UTF-8 from an upstream or a script must not turn into an exception here.
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

Response error_response(const Error& error, unsigned version, const nlohmann::json& extra) {
  // An error message may quote what a caller or an upstream sent: redacted like a log line.
  nlohmann::json inner = {{"code", errc_name(error.code)}, {"message", observe::redact(error.message)}};
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) inner[it.key()] = it.value();
  }
  Response response = json_response(http_status(error.code), {{"error", inner}}, version);
  // Marks Ferry's own errors, so a caller can tell them from an upstream's relayed answer.
  response.set("X-Ferry-Error", errc_name(error.code));
  return response;
}

Result<nlohmann::json> parse_json_body(const Request& request) {
  if (request.body().empty()) {
    return Error{Errc::invalid_argument, "the request body is empty; expected a JSON object"};
  }
  try {
    return nlohmann::json::parse(request.body());
  } catch (const nlohmann::json::parse_error& e) {
    return Error{Errc::invalid_argument,
                 fmt::format("the request body is not valid JSON (at byte {})", e.byte)};
  }
}

}  // namespace ferry::http
