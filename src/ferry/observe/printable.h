#pragma once

#include <string>
#include <string_view>

namespace ferry::observe {

// `text` safe to write as one log line: every control byte (0x00-0x1F, 0x7F) becomes a
// visible escape (\n, \r, \t, or \xHH), so a value that came from outside (a connection id,
// a URL path, an upstream error) can neither start a forged line nor hide text from a
// terminal. Other bytes, UTF-8 included, are kept.
std::string printable(std::string_view text);

}  // namespace ferry::observe
