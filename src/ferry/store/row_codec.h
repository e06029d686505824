#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"

namespace ferry::store {

// How both store backends write values into columns: times as integer milliseconds since
// the Unix epoch (UTC), JSON as compact text. Sharing one codec keeps SQLite and
// PostgreSQL truncating and spelling values alike. Pure functions.

std::int64_t to_millis(TimePoint t);
TimePoint from_millis(std::int64_t ms);
// `t` truncated to what a column keeps.
TimePoint truncate_millis(TimePoint t);

// Compact JSON; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
std::string dump_json(const nlohmann::json& value);
// Parses a JSON column. Errc::storage_corrupt naming `what` when it is not JSON.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view what);

}  // namespace ferry::store
