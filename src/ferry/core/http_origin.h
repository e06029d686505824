#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// The origin ("scheme://host[:port]", scheme and host in lower case, as browsers compare
// them) of an absolute http(s) URL with a host and no user info; nullopt otherwise,
// including for URLs longer than 8 KiB. Pure.
std::optional<std::string> http_origin(std::string_view url);

}  // namespace ferry
