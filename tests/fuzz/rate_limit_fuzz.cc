// Fuzzes what an upstream's response head says about rate limits (proxy/rate_limit.h):
// Retry-After, the reset header in each format (seconds, epoch, ISO 8601, HTTP-date), the
// remaining quota, and the retry decision (proxy/retry_policy.h) that uses them.
//
// Input: header lines "Name: value". Every value also goes to each parser on its own.
// Oracle: no crash or sanitizer report (overflow in the date arithmetic is UB that UBSan
// reports); every wait is within [0, kLongestServerHint]; a retry never waits past the
// call's deadline.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/core/strings.h"
#include "ferry/proxy/rate_limit.h"
#include "ferry/proxy/retry_policy.h"
#include "fuzz_check.h"

namespace {

using namespace ferry::proxy;
using ferry::config::ResetFormat;

constexpr ResetFormat kFormats[] = {ResetFormat::seconds, ResetFormat::epoch,
                                    ResetFormat::iso8601, ResetFormat::http_date};

void check_wait(const std::optional<milliseconds>& wait) {
  if (!wait) return;
  FERRY_FUZZ_CHECK(wait->count() >= 0, "a negative wait");
  FERRY_FUZZ_CHECK(*wait <= kLongestServerHint, "a wait past the longest server hint");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A fixed "now": the parsers are pure, so the same input always gives the same answer.
  const ferry::TimePoint now{std::chrono::seconds(1774540800)};  // 2026-03-26T16:00:00Z
  HeaderList headers;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const auto [line, rest] = ferry::fuzz::split_once(input, '\n');
    const auto [name, value] = ferry::fuzz::split_once(line, ':');
    headers.emplace_back(std::string(name), std::string(ferry::trim(value)));
    input = rest;
  }

  for (const auto& [name, value] : headers) {
    check_wait(parse_retry_after(value, now));
    for (const ResetFormat format : kFormats) check_wait(parse_reset(value, format, now));
    (void)parse_http_date(value);
    (void)parse_reset_time(value);
  }

  const RetryPolicy policy{4, milliseconds(2000), milliseconds(30000), {429, 502, 503, 504}, {}};
  const milliseconds time_left(60000);
  for (const ResetFormat format : kFormats) {
    ferry::config::RateLimitHeaders names;  // Jira's names, in each reset format
    names.reset = "X-RateLimit-Reset";
    names.reset_format = format;
    names.remaining = "X-RateLimit-Remaining";
    AttemptResult attempt;
    attempt.status = 429;
    attempt.signals = read_rate_limit(names, headers, now);
    check_wait(attempt.signals.server_wait());
    check_wait(attempt.signals.quota_pause());
    for (const char* method : {"GET", "POST"}) {
      const auto decision = decide_retry(policy, method, attempt, 1, true, time_left,
                                         [] { return 0.5; });
      if (decision.verdict == Verdict::retry) {
        FERRY_FUZZ_CHECK(decision.wait.count() >= 0 && decision.wait < time_left,
                         "a retry that waits past the deadline");
      }
    }
  }
  return 0;
}
