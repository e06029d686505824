#include "ferry/core/clock.h"

#include <cstdio>

namespace ferry {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::sys_days;

// A cursor over the text being parsed; every reader returns false on a mismatch.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;

  bool done() const { return pos == s.size(); }
  bool digits(std::size_t n, int& out) {
    if (s.size() - pos < n) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
  }
  bool literal(char c) {
    if (done() || s[pos] != c) return false;
    ++pos;
    return true;
  }
  bool one_of(std::string_view chars) {
    if (done() || chars.find(s[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
  }
};

// Fraction of a second after the '.', up to nanoseconds (extra digits are an error).
bool read_fraction(Cursor& c, nanoseconds& out) {
  if (!c.literal('.')) return true;
  std::int64_t value = 0;
  int count = 0;
  while (!c.done() && c.s[c.pos] >= '0' && c.s[c.pos] <= '9') {
    if (++count > 9) return false;
    value = value * 10 + (c.s[c.pos++] - '0');
  }
  if (count == 0) return false;
  for (int i = count; i < 9; ++i) value *= 10;
  out = nanoseconds(value);
  return true;
}

// The zone as an offset east of UTC; none means UTC.
bool read_zone(Cursor& c, std::chrono::minutes& offset) {
  offset = std::chrono::minutes(0);
  if (c.done() || c.one_of("Zz")) return true;
  bool negative = !c.done() && c.s[c.pos] == '-';
  if (!c.one_of("+-")) return false;
  int hh = 0;
  int mm = 0;
  if (!c.digits(2, hh)) return false;
  c.literal(':');
  if (!c.digits(2, mm) || hh > 23 || mm > 59) return false;
  offset = std::chrono::minutes(hh * 60 + mm);
  if (negative) offset = -offset;
  return true;
}

}  // namespace

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

std::shared_ptr<const Clock> system_clock() {
  static const auto clock = std::make_shared<const SystemClock>();
  return clock;
}

FakeClock::FakeClock(TimePoint start) : now_(start) {}

TimePoint FakeClock::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::set(TimePoint t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

void FakeClock::advance(std::chrono::system_clock::duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

std::string format_iso8601(TimePoint t) {
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const std::chrono::year_month_day ymd{sys_days(day)};
  const std::chrono::hh_mm_ss hms{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

Result<TimePoint> parse_iso8601(std::string_view text) {
  Cursor c{text};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  nanoseconds fraction{0};
  std::chrono::minutes offset{0};
  const bool shaped = c.digits(4, year) && c.literal('-') && c.digits(2, month) && c.literal('-') &&
                      c.digits(2, day) && c.one_of("Tt ") && c.digits(2, hour) && c.literal(':') &&
                      c.digits(2, minute) && c.literal(':') && c.digits(2, second) &&
                      read_fraction(c, fraction) && read_zone(c, offset) && c.done();
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  // Second 60 is a leap second; like most systems we fold it into the next minute.
  if (!shaped || !ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    return Error{Errc::invalid_argument,
                 "not an ISO 8601 date-time: \"" + std::string(text.substr(0, 40)) + "\""};
  }
  // Whole seconds first: they hold any four-digit year, TimePoint's nanoseconds do not.
  const std::chrono::sys_seconds whole = sys_days(ymd) + std::chrono::hours(hour) +
                                         std::chrono::minutes(minute) +
                                         std::chrono::seconds(second) - offset;
  auto at = to_time_point(whole, fraction);
  if (!at) {
    return Error{Errc::invalid_argument,
                 "an ISO 8601 date-time before 1678 is out of range: \"" +
                     std::string(text.substr(0, 40)) + "\""};
  }
  return *at;
}

std::optional<TimePoint> to_time_point(std::chrono::sys_seconds whole, nanoseconds fraction) {
  using std::chrono::seconds;
  // The whole seconds TimePoint can hold, with room for a fraction below one second.
  static constexpr auto kLatest = std::chrono::floor<seconds>(TimePoint::max()) - seconds(1);
  static constexpr auto kEarliest = std::chrono::ceil<seconds>(TimePoint::min());
  if (whole > kLatest) return TimePoint::max();
  if (whole < kEarliest) return std::nullopt;
  return TimePoint(whole) + fraction;
}

}  // namespace ferry
