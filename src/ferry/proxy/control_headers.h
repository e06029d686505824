#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/proxy/forward_headers.h"

namespace ferry::proxy {

// The headers that steer a proxy call (DESIGN.md §3), read from the caller's request.
struct ControlHeaders {
  std::string connection_id;        // Connection-Id (required)
  std::string provider_config_key;  // Provider-Config-Key (required)
  std::string base_url_override;    // Base-Url-Override; "" = the integration's base URL
  std::optional<int> retries;       // Retries: extra attempts the caller allows (0 = none)
  std::vector<int> retry_on;        // Retry-On: statuses to retry, whatever the method
};

// Errc::invalid_argument naming the header when a required one is missing or empty,
// Retries is not a non-negative integer, or Retry-On is not a comma-separated list of HTTP
// statuses (100-599; empty items are skipped). Empty optional headers count as absent (the
// SDK always sends Base-Url-Override, possibly empty).
Result<ControlHeaders> read_control_headers(const HeaderViews& inbound);

}  // namespace ferry::proxy
