#pragma once

// Shared by the fuzz targets: an invariant that must hold for every input. A failed check
// prints what broke and aborts, which libFuzzer reports as a crash with the input saved.
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace ferry::fuzz {

// Splits `data` at the first `separator`: {before, after}; after is empty when absent.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view data,
                                                                char separator) {
  const auto at = data.find(separator);
  if (at == std::string_view::npos) return {data, {}};
  return {data.substr(0, at), data.substr(at + 1)};
}

}  // namespace ferry::fuzz

#define FERRY_FUZZ_CHECK(condition, what)                                             \
  do {                                                                                \
    if (!(condition)) {                                                               \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s (%s)\n", __FILE__,     \
                   __LINE__, what, #condition);                                       \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)
