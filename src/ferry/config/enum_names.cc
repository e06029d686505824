#include "ferry/config/enum_names.h"

namespace ferry::config {

std::string_view authorization_method_name(AuthorizationMethod method) {
  return method == AuthorizationMethod::header ? "header" : "body";
}

std::string_view body_format_name(BodyFormat format) {
  return format == BodyFormat::json ? "json" : "form";
}

std::string_view grant_type_name(GrantType grant) {
  return grant == GrantType::client_credentials ? "client_credentials" : "authorization_code";
}

std::string_view reset_format_name(ResetFormat format) {
  switch (format) {
    case ResetFormat::seconds: return "seconds";
    case ResetFormat::epoch: return "epoch";
    case ResetFormat::iso8601: return "iso8601";
    case ResetFormat::http_date: return "http-date";
  }
  return "seconds";
}

std::string_view deprecated_endpoint_policy_name(DeprecatedEndpointPolicy policy) {
  return policy == DeprecatedEndpointPolicy::warn ? "warn" : "reject";
}

std::string_view site_selection_name(SiteSelection selection) {
  return selection == SiteSelection::ask ? "ask" : "first";
}

}  // namespace ferry::config
