#include "ferry/proxy/control_headers.h"

#include <charconv>

#include "ferry/core/strings.h"

namespace ferry::proxy {
namespace {

std::string find(const HeaderViews& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string(trim(v));
  }
  return {};
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<std::vector<int>> parse_statuses(std::string_view text) {
  std::vector<int> statuses;
  if (text.empty()) return statuses;
  for (const auto& item : split(text, ',')) {
    const std::string_view token = trim(item);
    if (token.empty()) continue;
    auto status = parse_int(token);
    if (!status || *status < 100 || *status > 599) {
      return Error{Errc::invalid_argument,
                   "the Retry-On header must list HTTP statuses separated by commas"};
    }
    statuses.push_back(*status);
  }
  return statuses;
}

}  // namespace

Result<ControlHeaders> read_control_headers(const HeaderViews& inbound) {
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
  auto retry_on = parse_statuses(find(inbound, "Retry-On"));
  if (!retry_on) return retry_on.error();
  control.retry_on = std::move(*retry_on);
  if (std::string retries = find(inbound, "Retries"); !retries.empty()) {
    auto value = parse_int(retries);
    if (!value || *value < 0) {
      return Error{Errc::invalid_argument, "the Retries header must be a non-negative integer"};
    }
    control.retries = *value;
  }
  return control;
}

}  // namespace ferry::proxy
