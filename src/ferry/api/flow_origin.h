#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::api {

// Where the callback page of a connect flow may post its result (DESIGN.md §4): only to the
// origin of the page that started the flow, never to '*'. Pure.

// The origin ("scheme://host[:port]", scheme and host in lower case, as browsers compare
// them) of an absolute http(s) URL with a host and no user info; nullopt otherwise.
std::optional<std::string> http_origin(std::string_view url);

// The origin a connect request names for its page:
//   `origin_param` (the `origin` query parameter, which Ferry's frontend SDK sends): it must
//   be an http(s) origin and nothing more (a trailing '/' is accepted), else
//   Errc::invalid_argument saying so;
//   else the origin of `referer` (the Referer header: the page that opened the popup, which
//   @nangohq/frontend relies on), when it is an http(s) URL; other values are ignored;
//   else "" (unknown: the caller falls back to the server's own origin).
Result<std::string> requested_origin(const std::string* origin_param, std::string_view referer);

}  // namespace ferry::api
