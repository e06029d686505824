#include "ferry/core/error.h"

namespace ferry {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unauthorized: return "unauthorized";
    case Errc::not_found: return "not_found";
    case Errc::method_not_allowed: return "method_not_allowed";
    case Errc::conflict: return "conflict";
    case Errc::payload_too_large: return "payload_too_large";
    case Errc::too_many_requests: return "too_many_requests";
    case Errc::upstream_auth_failed: return "upstream_auth_failed";
    case Errc::internal: return "internal";
    case Errc::action_failed: return "action_failed";
    case Errc::upstream_unreachable: return "upstream_unreachable";
    case Errc::unavailable: return "unavailable";
    case Errc::upstream_timeout: return "upstream_timeout";
    case Errc::config_invalid: return "config_invalid";
    case Errc::storage_corrupt: return "storage_corrupt";
    case Errc::egress_forbidden: return "egress_forbidden";
    case Errc::forbidden: return "forbidden";
    case Errc::deprecated_endpoint: return "deprecated_endpoint";
  }
  return "internal";
}

std::optional<Errc> errc_from_name(std::string_view name) {
  for (int value = static_cast<int>(Errc::invalid_argument);
       value <= static_cast<int>(kLastErrc); ++value) {
    if (errc_name(static_cast<Errc>(value)) == name) return static_cast<Errc>(value);
  }
  return std::nullopt;
}

}  // namespace ferry
