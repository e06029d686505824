#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// Every failure a caller may decide about. The API layer maps each value to one
// JSON error code and HTTP status (http/json.h); the comment names it.
enum class Errc {
  invalid_argument = 1,    // 400 bad input (request, config value, endpoint)
  unauthorized,            // 401 missing or wrong API key
  not_found,               // 404 unknown integration, connection, route or action
  method_not_allowed,      // 405 route exists, method does not
  conflict,                // 409 duplicate (integration, connection id)
  payload_too_large,       // 413 body over the configured limit
  too_many_requests,       // 429 a per-client limit is reached (pending OAuth flows, websockets)
  upstream_auth_failed,    // 424 provider rejected our refresh; re-consent needed
  internal,                // 500 a failure inside Ferry (disk, database)
  action_failed,           // 500 an action script failed
  upstream_unreachable,    // 502 connect/read failure or bad upstream reply
  unavailable,             // 503 shutting down / overloaded
  upstream_timeout,        // 504 upstream did not answer in time
  config_invalid,          // configuration file problem (not an HTTP error)
  storage_corrupt,         // database unreadable, newer schema, wrong encryption key
  egress_forbidden,        // 403 the egress policy refuses a request-chosen upstream address
  forbidden,               // 403 authenticated, but this request is refused (a cross-site request)
  deprecated_endpoint,     // 410 the provider removed the endpoint a call names; not sent
};
// The last Errc, for loops over every value.
inline constexpr Errc kLastErrc = Errc::deprecated_endpoint;

// A failure: which kind, and one sentence saying what and where. Never holds a secret.
struct Error {
  Errc code;
  std::string message;
};

// The snake_case name of `code`, as used in JSON error bodies.
std::string_view errc_name(Errc code);
// The Errc named `name` (the inverse of errc_name), or nullopt.
std::optional<Errc> errc_from_name(std::string_view name);

}  // namespace ferry
