#include "ferry/proxy/rate_limit.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "ferry/core/strings.h"

namespace ferry::proxy {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::optional<long long> parse_integer(std::string_view text) {
  text = trim(text);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> parse_month(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (iequals(name, kMonths[i])) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

// "HH:MM:SS" as seconds since midnight.
std::optional<seconds> parse_clock(std::string_view text) {
  auto parts = split(text, ':');
  if (parts.size() != 3) return std::nullopt;
  auto h = parse_integer(parts[0]);
  auto m = parse_integer(parts[1]);
  auto s = parse_integer(parts[2]);
  // 60 allows a leap second, as RFC 5322 does.
  if (!h || !m || !s || *h < 0 || *h > 23 || *m < 0 || *m > 59 || *s < 0 || *s > 60) {
    return std::nullopt;
  }
  return seconds(*h * 3600 + *m * 60 + *s);
}

std::optional<TimePoint> make_time(long long year, int month, long long day, seconds time_of_day) {
  if (year < 1970 || year > 9999 || day < 1 || day > 31) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(year)},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  // Years past 2262 do not fit a TimePoint: they read as its end, a wait clamped anyway.
  return to_time_point(std::chrono::sys_days(date) + time_of_day);
}

std::vector<std::string> tokens(std::string_view text) {
  std::string spaced(text);
  // Commas end the weekday; dashes separate RFC 850's date parts.
  std::replace(spaced.begin(), spaced.end(), ',', ' ');
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  std::vector<std::string> out;
  for (const auto& part : split(spaced, ' ')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

bool is_word(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

milliseconds clamp_wait(TimePoint target, TimePoint now) {
  if (target <= now) return milliseconds(0);
  auto wait = duration_cast<milliseconds>(target - now);
  return std::min<milliseconds>(wait, kLongestServerHint);
}

milliseconds clamp_seconds(long long value) {
  if (value <= 0) return milliseconds(0);
  const long long limit = duration_cast<seconds>(kLongestServerHint).count();
  return duration_cast<milliseconds>(seconds(std::min(value, limit)));
}

std::string_view find_header(const HeaderList& headers, std::string_view name) {
  if (name.empty()) return {};
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

}  // namespace

std::optional<TimePoint> parse_http_date(std::string_view text) {
  const auto t = tokens(trim(text));
  if (t.size() < 5 || !is_word(t[0])) return std::nullopt;
  // asctime: "Sun Nov  6 08:49:37 1994".
  if (t.size() == 5 && is_word(t[1])) {
    auto month = parse_month(t[1]);
    auto day = parse_integer(t[2]);
    auto clock = parse_clock(t[3]);
    auto year = parse_integer(t[4]);
    if (!month || !day || !clock || !year) return std::nullopt;
    return make_time(*year, *month, *day, *clock);
  }
  // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
  if (t.size() != 6 || !iequals(t[5], "GMT")) return std::nullopt;
  auto day = parse_integer(t[1]);
  auto month = parse_month(t[2]);
  auto year = parse_integer(t[3]);
  auto clock = parse_clock(t[4]);
  if (!day || !month || !year || !clock) return std::nullopt;
  // RFC 850's two-digit years: RFC 9110 §5.6.7 reads far-future ones as the past century.
  if (t[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
  return make_time(*year, *month, *day, *clock);
}

std::optional<TimePoint> parse_reset_time(std::string_view text) {
  text = trim(text);
  if (auto parsed = parse_iso8601(text)) return *parsed;
  // "2026-03-26T16:00Z": seconds left out. Insert them and parse again.
  constexpr std::size_t kMinuteEnd = 16;  // "YYYY-MM-DDTHH:MM"
  if (text.size() < kMinuteEnd || text[13] != ':' ||
      (text.size() > kMinuteEnd && text[kMinuteEnd] == ':')) {
    return std::nullopt;
  }
  std::string full(text.substr(0, kMinuteEnd));
  full += ":00";
  full += text.substr(kMinuteEnd);
  if (auto parsed = parse_iso8601(full)) return *parsed;
  return std::nullopt;
}

std::optional<milliseconds> parse_retry_after(std::string_view value, TimePoint now) {
  if (auto secs = parse_integer(value)) {
    if (*secs < 0) return std::nullopt;
    return clamp_seconds(*secs);
  }
  if (auto date = parse_http_date(value)) return clamp_wait(*date, now);
  return std::nullopt;
}

std::optional<milliseconds> parse_reset(std::string_view value, config::ResetFormat format,
                                        TimePoint now) {
  using config::ResetFormat;
  switch (format) {
    case ResetFormat::seconds: {
      auto secs = parse_integer(value);
      if (!secs || *secs < 0) return std::nullopt;
      return clamp_seconds(*secs);
    }
    case ResetFormat::epoch: {
      auto epoch = parse_integer(value);
      if (!epoch || *epoch < 0) return std::nullopt;
      const long long limit = duration_cast<seconds>(kLongestServerHint).count();
      const long long now_s = duration_cast<seconds>(now.time_since_epoch()).count();
      return clamp_wait(TimePoint(seconds(std::min(*epoch, now_s + limit))), now);
    }
    case ResetFormat::iso8601: {
      auto at = parse_reset_time(value);
      if (!at) return std::nullopt;
      return clamp_wait(*at, now);
    }
    case ResetFormat::http_date: {
      auto at = parse_http_date(value);
      if (!at) return std::nullopt;
      return clamp_wait(*at, now);
    }
  }
  return std::nullopt;
}

std::optional<milliseconds> RateLimitSignals::quota_pause() const {
  if (!remaining || *remaining > 0) return std::nullopt;
  if (until_reset) return until_reset;
  return retry_after;
}

RateLimitSignals read_rate_limit(const config::RateLimitHeaders& names, const HeaderList& headers,
                                 TimePoint now) {
  RateLimitSignals signals;
  if (auto value = find_header(headers, names.retry_after); !value.empty()) {
    signals.retry_after = parse_retry_after(value, now);
  }
  if (auto value = find_header(headers, names.reset); !value.empty()) {
    signals.until_reset = parse_reset(value, names.reset_format, now);
  }
  if (auto value = find_header(headers, names.remaining); !value.empty()) {
    signals.remaining = parse_integer(value);
  }
  return signals;
}

}  // namespace ferry::proxy
