#pragma once

// Reading what an upstream says about its rate limits (DESIGN.md §5): Retry-After, the reset
// header in the integration's format, and the remaining quota. Pure: no clock, no socket;
// "now" is always a parameter.
#include <chrono>
#include <optional>
#include <string_view>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/proxy/forward_headers.h"

namespace ferry::proxy {

using std::chrono::milliseconds;

// Server hints longer than this are treated as this (a year): they are never waited anyway,
// and the bound keeps the arithmetic far from overflow.
inline constexpr std::chrono::hours kLongestServerHint{24 * 366};

// An HTTP-date (RFC 9110 §5.6.7): the preferred IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
// and the obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime
// "Sun Nov  6 08:49:37 1994" forms. nullopt for anything else or an impossible date; a date
// past TimePoint's end (2262) reads as TimePoint::max().
std::optional<TimePoint> parse_http_date(std::string_view text);

// An ISO 8601 time as rate-limit headers write it: everything core's parse_iso8601 takes,
// plus Atlassian's minute precision "2026-03-26T16:00Z". nullopt when unparsable.
std::optional<TimePoint> parse_reset_time(std::string_view text);

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. The wait from `now`, zero
// for a date in the past; nullopt when the value is neither.
std::optional<milliseconds> parse_retry_after(std::string_view value, TimePoint now);

// A reset header value in `format`: seconds until the reset, a Unix epoch time in seconds,
// an ISO 8601 time or an HTTP-date. The wait from `now` until the reset, zero when it is
// past; nullopt when the value does not fit the format.
std::optional<milliseconds> parse_reset(std::string_view value, config::ResetFormat format,
                                        TimePoint now);

// What one response head says about the caller's quota. Waits are relative to the moment
// the head was read.
struct RateLimitSignals {
  std::optional<milliseconds> retry_after;  // Retry-After
  std::optional<milliseconds> until_reset;  // the reset header
  std::optional<long long> remaining;       // the remaining header

  // The wait the server asks for: Retry-After wins, else the time until the reset.
  std::optional<milliseconds> server_wait() const {
    return retry_after ? retry_after : until_reset;
  }
  // How long later calls should hold back because the quota is spent: set when
  // `remaining` is 0 (or below) and the response says when it comes back (the reset header,
  // else Retry-After).
  std::optional<milliseconds> quota_pause() const;
};

// Reads the headers `names` points at from `headers` (names compare case-insensitively; the
// first occurrence counts). Unparsable values are ignored, as if absent.
RateLimitSignals read_rate_limit(const config::RateLimitHeaders& names, const HeaderList& headers,
                                 TimePoint now);

}  // namespace ferry::proxy
