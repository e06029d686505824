#pragma once

#include <string>
#include <string_view>

namespace ferry::store::pg {

// `text` as a PostgreSQL text column can hold it: every NUL byte and every byte that does
// not begin a well-formed UTF-8 sequence (RFC 3629 §4) replaced by U+FFFD; everything
// else kept. For the activity log, where keeping a line beats refusing it. Pure.
std::string storable_text(std::string_view text);

}  // namespace ferry::store::pg
