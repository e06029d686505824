#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// Small text helpers shared by every layer. Pure functions; thread-safe.

// `s` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);
// ASCII lower-case copy.
std::string to_lower(std::string_view s);
// Case-insensitive ASCII equality (HTTP header names).
bool iequals(std::string_view a, std::string_view b);
bool starts_with_icase(std::string_view s, std::string_view prefix);
// Splits on every `sep`; empty pieces are kept.
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ferry
