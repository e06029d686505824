#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ferry::observe {

// A half-open byte range [begin, end) of a text.
struct TextRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Appends to `out`, in ascending order of `begin`, the ranges of `text` that hold a secret
// value by their shape, whatever the value is:
//   "name": "value"          a JSON member whose name is a secret name (secret_names.h)
//   name=value               a query or form parameter (after start, ?, &, ;, space, ...)
//   Name: value              a header: a credential header to the end of the line
//                            (keeping an Authorization scheme), any other secret name one word
//   /name/value              a path segment after a secret-named segment
//   Bearer value, Basic value
// One pass, constant work per byte, no recursion and no allocation beyond `out`: any input,
// however long or strange, is scanned in linear time.
void find_secret_shapes(std::string_view text, std::vector<TextRange>& out);

}  // namespace ferry::observe
