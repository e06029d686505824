#pragma once

#include <string_view>

#include "ferry/config/model.h"

namespace ferry::config {

// The spellings config files use for model.h's enums ("header", "json", "http-date"...),
// for rendering configuration back to users and the API. auth_mode_name() is in model.h.
std::string_view authorization_method_name(AuthorizationMethod method);
std::string_view body_format_name(BodyFormat format);
std::string_view grant_type_name(GrantType grant);
std::string_view reset_format_name(ResetFormat format);
std::string_view deprecated_endpoint_policy_name(DeprecatedEndpointPolicy policy);
std::string_view site_selection_name(SiteSelection selection);

}  // namespace ferry::config
