#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/http_origin.h"
#include "ferry/core/result.h"

namespace ferry::api {

// Where the callback page of a connect flow may post its result (DESIGN.md §4): only to the
// origin of the page that started the flow, never to '*'. Pure.

using ferry::http_origin;  // core/http_origin.h

// The origin a connect request names for its page:
//   `origin_param` (the `origin` query parameter, which Ferry's frontend SDK sends): it must
//   be an http(s) origin and nothing more (a trailing '/' is accepted), else
//   Errc::invalid_argument saying so;
//   else the origin of `referer` (the Referer header: the page that opened the popup, which
//   @nangohq/frontend relies on), when it is an http(s) URL; other values are ignored;
//   else "" (unknown: the caller falls back to the server's own origin).
Result<std::string> requested_origin(const std::string* origin_param, std::string_view referer);

}  // namespace ferry::api
