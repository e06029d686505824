#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::api {

// The longest `search` value accepted, in bytes.
inline constexpr std::size_t kMaxLogSearchBytes = 200;
// The longest `type` value accepted, in bytes.
inline constexpr std::size_t kMaxLogTypeBytes = 64;
// The most entries one GET /logs returns, whatever `limit` asks.
inline constexpr std::size_t kMaxLogLimit = 10'000;

// The filter of GET /logs from its decoded query parameters (untrusted):
//   connection_id, integration, type  exact match
//   status    comma-separated classes 1xx..5xx or "error" (no HTTP status: transport
//             failures); repeated parameters add up
//   from, to  ISO 8601 date-times: from <= timestamp < to
//   search    a plain substring (at most kMaxLogSearchBytes) of url, message, method or
//             connection_id, ignoring case
//   after_id  only entries with a greater id (the tail cursor)
//   limit     at most this many (default 100; 0 or more than kMaxLogLimit: kMaxLogLimit)
// An empty value is as if absent; unknown parameters are ignored. Errc::invalid_argument
// naming the parameter (and a bad status class) when a value is malformed. Pure.
Result<store::ActivityFilter> parse_log_filter(
    const std::multimap<std::string, std::string>& query);

// The id of GET /logs/{id}: a positive integer, else Errc::invalid_argument. Pure.
Result<std::int64_t> parse_log_id(std::string_view text);

}  // namespace ferry::api
