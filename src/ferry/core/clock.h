#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry {

using TimePoint = std::chrono::system_clock::time_point;

// The source of "now" for anything that decides by time (token expiry, OAuth state
// expiry, activity-log pruning), so tests can control it. Implementations are
// thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The wall clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A process-wide SystemClock, for callers that take a shared_ptr<const Clock>.
std::shared_ptr<const Clock> system_clock();

// A clock that moves only when told to. Thread-safe (mutex-guarded).
class FakeClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z: far from the epoch, so "now - 1h" is still a sensible time.
  static constexpr std::chrono::seconds kDefaultStart{1767225600};

  explicit FakeClock(TimePoint start = TimePoint(kDefaultStart));
  TimePoint now() const override;
  void set(TimePoint t);
  void advance(std::chrono::system_clock::duration d);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

// "2026-11-29T20:00:00.000Z": UTC, milliseconds (truncated toward the past).
std::string format_iso8601(TimePoint t);

// Parses RFC 3339 / ISO 8601 date-times as providers and Nango write them:
// "YYYY-MM-DDTHH:MM:SS" with an optional fraction (up to 9 digits) and a zone of "Z",
// "+HH:MM", "-HH:MM" or "+HHMM"; no zone means UTC. 't'/'z' and a space separator are
// accepted. Anything else, or an impossible date or time, is Errc::invalid_argument.
// TimePoint ends in 2262: a later time (providers write "9999-12-31" for "never") reads as
// TimePoint::max(); a time before its start (1677) is Errc::invalid_argument.
Result<TimePoint> parse_iso8601(std::string_view text);

// `whole` plus `fraction` (in [0, 1 s)) as a TimePoint, whose nanoseconds span only the
// years 1677 to 2262: TimePoint::max() when `whole` is later than that, nullopt when it is
// earlier. Converting such a time directly would overflow, which is undefined behaviour.
std::optional<TimePoint> to_time_point(std::chrono::sys_seconds whole,
                                       std::chrono::nanoseconds fraction = {});

}  // namespace ferry
