#include "ferry/proxy/control_headers.h"

#include <charconv>

#include "ferry/core/strings.h"

namespace ferry::proxy {
namespace {

std::string find(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string(trim(v));
  }
  return {};
}

}  // namespace

Result<ControlHeaders> read_control_headers(const HeaderList& inbound) {
  ControlHeaders control;
  control.connection_id = find(inbound, "Connection-Id");
  if (control.connection_id.empty()) {
    return Error{Errc::invalid_argument, "the Connection-Id header is required"};
  }
  control.provider_config_key = find(inbound, "Provider-Config-Key");
  if (control.provider_config_key.empty()) {
    return Error{Errc::invalid_argument, "the Provider-Config-Key header is required"};
  }
  control.base_url_override = find(inbound, "Base-Url-Override");
  control.retry_on = find(inbound, "Retry-On");
  if (std::string retries = find(inbound, "Retries"); !retries.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(retries.data(), retries.data() + retries.size(), value);
    if (ec != std::errc() || end != retries.data() + retries.size() || value < 0) {
      return Error{Errc::invalid_argument, "the Retries header must be a non-negative integer"};
    }
    control.retries = value;
  }
  return control;
}

}  // namespace ferry::proxy
