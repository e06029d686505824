#pragma once

#include <cstddef>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::api {

// The longest connection id accepted (Nango's limit).
inline constexpr std::size_t kMaxConnectionIdBytes = 255;

// A connection id chosen by an API caller or a browser: ok() when it is 1 to 255 bytes
// with no control character (C0 or DEL; a CR or LF would forge a line in a log that quotes
// it). Else Errc::invalid_argument naming `field` (e.g. "\"connection_id\"") and the rule,
// never echoing the id.
Status check_connection_id(std::string_view id, std::string_view field);

}  // namespace ferry::api
