#include "ferry/core/clock.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at(std::int64_t unix_ms) { return TimePoint(milliseconds(unix_ms)); }

TEST(FormatIso8601, WritesUtcWithMilliseconds) {
  struct Case {
    TimePoint t;
    std::string_view text;
  };
  for (const Case& c :
       {Case{at(0), "1970-01-01T00:00:00.000Z"},
        Case{at(1795982400000), "2026-11-29T20:00:00.000Z"},
        Case{at(951782400123), "2000-02-29T00:00:00.123Z"},
        Case{at(-1), "1969-12-31T23:59:59.999Z"},
        Case{at(1795982400000) + std::chrono::microseconds(999), "2026-11-29T20:00:00.000Z"}}) {
    EXPECT_EQ(format_iso8601(c.t), c.text);
  }
}

TEST(ParseIso8601, AcceptsTheFormsProvidersWrite) {
  struct Case {
    std::string_view text;
    TimePoint t;
  };
  const TimePoint base = at(1795982400000);  // 2026-11-29T20:00:00Z
  for (const Case& c :
       {Case{"2026-11-29T20:00:00Z", base}, Case{"2026-11-29T20:00:00.000Z", base},
        Case{"2026-11-29t20:00:00z", base}, Case{"2026-11-29 20:00:00", base},
        Case{"2026-11-29T20:00:00.5Z", base + milliseconds(500)},
        Case{"2026-11-29T20:00:00.123456789Z", base + std::chrono::nanoseconds(123456789)},
        Case{"2026-11-29T21:30:00+01:30", base}, Case{"2026-11-29T15:00:00-0500", base}}) {
    auto parsed = parse_iso8601(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, c.t) << c.text;
  }
}

TEST(ParseIso8601, RejectsMalformedAndImpossibleTimes) {
  for (std::string_view bad :
       {"", "2026-11-29", "2026-11-29T20:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-29T24:00:00Z", "2026-11-29T20:60:00Z", "2026-11-29T20:00:00.Z",
        "2026-11-29T20:00:00.1234567891Z", "2026-11-29T20:00:00+5", "2026-11-29T20:00:00Zjunk",
        "Sun, 29 Nov 2026 20:00:00 GMT"}) {
    auto parsed = parse_iso8601(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument) << bad;
  }
}

TEST(ParseIso8601, ReadsBackWhatFormatWrites) {
  const TimePoint t = at(1767225600000) + milliseconds(86400123);
  EXPECT_EQ(*parse_iso8601(format_iso8601(t)), t);
}

// Found by fuzzing: a year past 2262 overflowed TimePoint's nanoseconds (undefined
// behaviour; "9999-12-31" is how some providers write "never").
TEST(ParseIso8601, TimesPastTheEndOfTimePointReadAsItsEnd) {
  for (std::string_view text : {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999999-23:59",
                                "2262-04-12T00:00:00Z", "3000-01-01 00:00:00"}) {
    auto parsed = parse_iso8601(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, TimePoint::max()) << text;
  }
  // The last whole second before the end still reads exactly.
  const TimePoint last = *parse_iso8601("2262-04-11T23:47:15Z");
  EXPECT_EQ(format_iso8601(last), "2262-04-11T23:47:15.000Z");
  EXPECT_EQ(format_iso8601(*parse_iso8601("9999-12-31T23:59:59Z")), "2262-04-11T23:47:16.854Z");
}

TEST(ParseIso8601, TimesBeforeTheStartOfTimePointAreRefused) {
  for (std::string_view text : {"0000-01-01T00:00:00Z", "1677-09-21T00:12:43Z"}) {
    auto parsed = parse_iso8601(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument) << text;
  }
  EXPECT_TRUE(parse_iso8601("1677-09-21T00:12:45Z"));
  EXPECT_TRUE(parse_iso8601("1969-12-31T23:59:59Z"));
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock;
  EXPECT_EQ(format_iso8601(clock.now()), "2026-01-01T00:00:00.000Z");
  clock.advance(seconds(90));
  EXPECT_EQ(format_iso8601(clock.now()), "2026-01-01T00:01:30.000Z");
  clock.set(at(0));
  EXPECT_EQ(clock.now(), at(0));
}

TEST(SystemClock, FollowsTheWallClock) {
  const auto before = std::chrono::system_clock::now();
  const auto now = system_clock()->now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, std::chrono::system_clock::now());
}

}  // namespace
}  // namespace ferry
