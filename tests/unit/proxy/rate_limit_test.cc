#include "ferry/proxy/rate_limit.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace ferry::proxy {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::year;

// 2026-03-26T15:00:00Z, the "now" of these tests.
const TimePoint kNow = TimePoint(sys_days(year{2026} / 3 / 26)) + 15h;

TimePoint utc(int y, unsigned m, unsigned d, std::chrono::seconds time_of_day) {
  return TimePoint(sys_days(year{y} / m / d)) + time_of_day;
}

TEST(ParseHttpDate, ReadsTheThreeFormsOfRfc9110) {
  const TimePoint rfc_example = utc(1994, 11, 6, 8h + 49min + 37s);
  struct Case {
    std::string_view text;
    std::optional<TimePoint> expected;
  };
  const Case cases[] = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", rfc_example},
      {"  Sun, 06 Nov 1994 08:49:37 GMT ", rfc_example},
      {"Sunday, 06-Nov-94 08:49:37 GMT", rfc_example},
      {"Sun Nov  6 08:49:37 1994", rfc_example},
      {"Thu, 26 Mar 2026 15:00:05 GMT", kNow + 5s},
      {"Tuesday, 01-Jan-30 00:00:00 GMT", utc(2030, 1, 1, 0s)},
      {"Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},  // only GMT is allowed
      {"Sun, 31 Feb 1994 08:49:37 GMT", std::nullopt},  // no such day
      {"Sun, 06 Foo 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 25:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49 GMT", std::nullopt},
      {"2026-03-26T15:00:00Z", std::nullopt},
      {"120", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_http_date(c.text), c.expected) << c.text;
  }
}

TEST(ParseResetTime, AcceptsAtlassianSecondAndMinutePrecision) {
  struct Case {
    std::string_view text;
    std::optional<TimePoint> expected;
  };
  const Case cases[] = {
      {"2025-10-08T15:00:00Z", utc(2025, 10, 8, 15h)},
      {"2026-03-26T16:00Z", utc(2026, 3, 26, 16h)},
      {"2026-03-26T16:30+01:00", utc(2026, 3, 26, 15h + 30min)},
      {"2026-03-26T16:00:07.250Z", utc(2026, 3, 26, 16h + 7s) + 250ms},
      {"2026-03-26T16Z", std::nullopt},
      {"2026-03-26", std::nullopt},
      {"tomorrow", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_reset_time(c.text), c.expected) << c.text;
  }
}

TEST(ParseRetryAfter, TakesSecondsOrAnHttpDate) {
  struct Case {
    std::string_view value;
    std::optional<std::chrono::milliseconds> expected;
  };
  const Case cases[] = {
      {"1", 1000ms},
      {" 1847 ", 1847s},
      {"0", 0ms},
      {"Thu, 26 Mar 2026 15:00:30 GMT", 30s},
      {"Thu, 26 Mar 2026 14:00:00 GMT", 0ms},  // already past: retry at once
      {"-5", std::nullopt},
      {"1.5", std::nullopt},
      {"soon", std::nullopt},
      {"99999999999999999999", std::nullopt},  // does not fit: ignored
      {"999999999999", kLongestServerHint},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_retry_after(c.value, kNow), c.expected) << c.value;
  }
}

TEST(ParseReset, ReadsEachConfiguredFormat) {
  using config::ResetFormat;
  const long long now_epoch =
      std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();
  struct Case {
    std::string value;
    ResetFormat format;
    std::optional<std::chrono::milliseconds> expected;
  };
  const Case cases[] = {
      {"42", ResetFormat::seconds, 42s},
      {"-1", ResetFormat::seconds, std::nullopt},
      {"2026-03-26T15:00:00Z", ResetFormat::seconds, std::nullopt},
      {std::to_string(now_epoch + 90), ResetFormat::epoch, 90s},
      {std::to_string(now_epoch - 90), ResetFormat::epoch, 0ms},
      {"soon", ResetFormat::epoch, std::nullopt},
      {"2026-03-26T16:00Z", ResetFormat::iso8601, 1h},
      {"2026-03-26T15:00:10Z", ResetFormat::iso8601, 10s},
      {"2026-03-26T14:00:00Z", ResetFormat::iso8601, 0ms},
      {"42", ResetFormat::iso8601, std::nullopt},
      {"Thu, 26 Mar 2026 15:01:00 GMT", ResetFormat::http_date, 60s},
      {"2026-03-26T16:00Z", ResetFormat::http_date, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_reset(c.value, c.format, kNow), c.expected) << c.value;
  }
}

// Found by fuzzing: a date past 2262 overflowed TimePoint's nanoseconds (undefined
// behaviour). Such a hint is as long as hints get.
TEST(ParseReset, DatesPastTheEndOfTimePointAreTheLongestHint) {
  using config::ResetFormat;
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kNow), kLongestServerHint);
  EXPECT_EQ(parse_retry_after("Fri Dec 31 23:59:59 9999", kNow), kLongestServerHint);
  EXPECT_EQ(parse_reset("9999-12-31T23:59:59Z", ResetFormat::iso8601, kNow), kLongestServerHint);
  EXPECT_EQ(parse_reset("9999-12-31T23:59Z", ResetFormat::iso8601, kNow), kLongestServerHint);
  EXPECT_EQ(parse_reset("Fri, 31 Dec 9999 23:59:59 GMT", ResetFormat::http_date, kNow),
            kLongestServerHint);
  EXPECT_EQ(parse_http_date("Sat, 12 Apr 2262 00:00:00 GMT"), TimePoint::max());
}

TEST(ReadRateLimit, FindsTheConfiguredHeadersAndDerivesWaits) {
  config::RateLimitHeaders jira;
  jira.reset = "X-RateLimit-Reset";
  jira.reset_format = config::ResetFormat::iso8601;
  jira.remaining = "X-RateLimit-Remaining";
  struct Case {
    std::string_view what;
    HeaderList headers;
    std::optional<std::chrono::milliseconds> server_wait;
    std::optional<std::chrono::milliseconds> quota_pause;
  };
  const Case cases[] = {
      {"nothing said", {{"Content-Type", "application/json"}}, std::nullopt, std::nullopt},
      {"Retry-After wins over the reset",
       {{"retry-after", "3"}, {"X-RateLimit-Reset", "2026-03-26T15:00:10Z"}},
       3s,
       std::nullopt},
      {"the reset alone", {{"X-RateLimit-Reset", "2026-03-26T15:00:10Z"}}, 10s, std::nullopt},
      {"a spent quota pauses until the reset",
       {{"Retry-After", "1"},
        {"X-RateLimit-Remaining", "0"},
        {"X-RateLimit-Reset", "2026-03-26T16:00Z"}},
       1s,
       1h},
      {"a spent quota without a reset header pauses for Retry-After",
       {{"Retry-After", "2"}, {"X-RateLimit-Remaining", "0"}},
       2s,
       2s},
      {"a spent quota without any time is no pause",
       {{"X-RateLimit-Remaining", "0"}},
       std::nullopt,
       std::nullopt},
      {"quota left is no pause",
       {{"X-RateLimit-Remaining", "12"}, {"X-RateLimit-Reset", "2026-03-26T16:00Z"}},
       1h,
       std::nullopt},
      {"garbage is ignored",
       {{"Retry-After", "later"}, {"X-RateLimit-Remaining", "none"}},
       std::nullopt,
       std::nullopt},
  };
  for (const auto& c : cases) {
    const auto signals = read_rate_limit(jira, c.headers, kNow);
    EXPECT_EQ(signals.server_wait(), c.server_wait) << c.what;
    EXPECT_EQ(signals.quota_pause(), c.quota_pause) << c.what;
  }
}

TEST(ReadRateLimit, IgnoresHeadersTheIntegrationDoesNotName) {
  const config::RateLimitHeaders defaults;  // Retry-After only
  const HeaderList headers = {{"X-RateLimit-Remaining", "0"},
                              {"X-RateLimit-Reset", "2026-03-26T16:00Z"}};
  const auto signals = read_rate_limit(defaults, headers, kNow);
  EXPECT_FALSE(signals.server_wait());
  EXPECT_FALSE(signals.remaining);
  EXPECT_FALSE(signals.quota_pause());
}

}  // namespace
}  // namespace ferry::proxy
