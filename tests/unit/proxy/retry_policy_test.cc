#include "ferry/proxy/retry_policy.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace ferry::proxy {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

RetryPolicy policy(std::vector<int> caller_retry_on = {}) {
  config::RetryConfig config;
  config.max_attempts = 3;
  config.base_delay = 100ms;
  config.max_delay = 1000ms;
  return make_retry_policy(config, std::nullopt, std::move(caller_retry_on));
}

UnitRandom fixed(double value) {
  return [value] { return value; };
}

AttemptResult status(int code) { return AttemptResult{code, TransportFailure::none, true, {}}; }

AttemptResult status_with_retry_after(int code, milliseconds wait) {
  AttemptResult result = status(code);
  result.signals.retry_after = wait;
  return result;
}

AttemptResult failure(TransportFailure kind, bool request_sent) {
  return AttemptResult{0, kind, request_sent, {}};
}

TEST(DecideRetry, ClassifiesAttemptsByMethodAndSafety) {
  struct Case {
    std::string_view what;
    std::string_view method;
    AttemptResult attempt;
    std::vector<int> caller_retry_on;
    Verdict verdict;
    RetryReason reason;
    Held held;
  };
  const Case cases[] = {
      {"success", "GET", status(200), {}, Verdict::deliver, RetryReason::none, Held::none},
      {"client error", "GET", status(404), {}, Verdict::deliver, RetryReason::none, Held::none},
      {"401 belongs to the refresh path",
       "GET",
       status(401),
       {},
       Verdict::deliver,
       RetryReason::none,
       Held::none},
      {"500 is not transient",
       "GET",
       status(500),
       {},
       Verdict::deliver,
       RetryReason::none,
       Held::none},
      {"500 listed by the caller",
       "GET",
       status(500),
       {500},
       Verdict::retry,
       RetryReason::listed_status,
       Held::none},
      {"GET 429", "GET", status(429), {}, Verdict::retry, RetryReason::rate_limited, Held::none},
      {"GET 502", "GET", status(502), {}, Verdict::retry, RetryReason::bad_gateway, Held::none},
      {"GET 503",
       "GET",
       status(503),
       {},
       Verdict::retry,
       RetryReason::service_unavailable,
       Held::none},
      {"GET 504", "GET", status(504), {}, Verdict::retry, RetryReason::gateway_timeout, Held::none},
      {"GET timeout",
       "GET",
       failure(TransportFailure::timeout, true),
       {},
       Verdict::retry,
       RetryReason::timeout,
       Held::none},
      {"GET reset",
       "GET",
       failure(TransportFailure::connection_lost, true),
       {},
       Verdict::retry,
       RetryReason::connection_lost,
       Held::none},
      {"HEAD 503",
       "HEAD",
       status(503),
       {},
       Verdict::retry,
       RetryReason::service_unavailable,
       Held::none},
      {"OPTIONS 502",
       "OPTIONS",
       status(502),
       {},
       Verdict::retry,
       RetryReason::bad_gateway,
       Held::none},
      {"PUT timeout",
       "PUT",
       failure(TransportFailure::timeout, true),
       {},
       Verdict::retry,
       RetryReason::timeout,
       Held::none},
      {"DELETE 504",
       "DELETE",
       status(504),
       {},
       Verdict::retry,
       RetryReason::gateway_timeout,
       Held::none},
      {"TRACE 502", "TRACE", status(502), {}, Verdict::retry, RetryReason::bad_gateway, Held::none},
      {"POST 429 was not processed",
       "POST",
       status(429),
       {},
       Verdict::retry,
       RetryReason::rate_limited,
       Held::none},
      {"POST 503 with Retry-After was refused",
       "POST",
       status_with_retry_after(503, 0ms),
       {},
       Verdict::retry,
       RetryReason::service_unavailable,
       Held::none},
      {"POST 503 without Retry-After may have been processed",
       "POST",
       status(503),
       {},
       Verdict::deliver,
       RetryReason::service_unavailable,
       Held::unsafe_method},
      {"POST 502",
       "POST",
       status(502),
       {},
       Verdict::deliver,
       RetryReason::bad_gateway,
       Held::unsafe_method},
      {"POST 504",
       "POST",
       status(504),
       {},
       Verdict::deliver,
       RetryReason::gateway_timeout,
       Held::unsafe_method},
      {"POST timeout after writing",
       "POST",
       failure(TransportFailure::timeout, true),
       {},
       Verdict::deliver,
       RetryReason::timeout,
       Held::unsafe_method},
      {"POST reset after writing",
       "POST",
       failure(TransportFailure::connection_lost, true),
       {},
       Verdict::deliver,
       RetryReason::connection_lost,
       Held::unsafe_method},
      {"POST reset before any byte",
       "POST",
       failure(TransportFailure::connection_lost, false),
       {},
       Verdict::retry,
       RetryReason::connection_lost,
       Held::none},
      {"POST refused",
       "POST",
       failure(TransportFailure::connect_failed, false),
       {},
       Verdict::retry,
       RetryReason::connect_failed,
       Held::none},
      {"POST connect timeout",
       "POST",
       failure(TransportFailure::connect_timeout, false),
       {},
       Verdict::retry,
       RetryReason::connect_timeout,
       Held::none},
      {"POST 502 listed by the caller",
       "POST",
       status(502),
       {502},
       Verdict::retry,
       RetryReason::bad_gateway,
       Held::none},
      {"POST timeout is not a status the caller can list",
       "POST",
       failure(TransportFailure::timeout, true),
       {504},
       Verdict::deliver,
       RetryReason::timeout,
       Held::unsafe_method},
      {"PATCH 429",
       "PATCH",
       status(429),
       {},
       Verdict::retry,
       RetryReason::rate_limited,
       Held::none},
      {"PATCH 504",
       "PATCH",
       status(504),
       {},
       Verdict::deliver,
       RetryReason::gateway_timeout,
       Held::unsafe_method},
      {"an unknown method is not idempotent",
       "PURGE",
       status(502),
       {},
       Verdict::deliver,
       RetryReason::bad_gateway,
       Held::unsafe_method},
      {"methods are case-sensitive",
       "get",
       status(502),
       {},
       Verdict::deliver,
       RetryReason::bad_gateway,
       Held::unsafe_method},
  };
  for (const auto& c : cases) {
    const auto decision =
        decide_retry(policy(c.caller_retry_on), c.method, c.attempt, 1, true, 60s, fixed(0.5));
    EXPECT_EQ(decision.verdict, c.verdict) << c.what;
    EXPECT_EQ(decision.reason, c.reason) << c.what;
    EXPECT_EQ(decision.held, c.held) << c.what;
  }
}

TEST(DecideRetry, HoldsBackWhenOutOfAttemptsTimeOrReplayableBody) {
  struct Case {
    std::string_view what;
    AttemptResult attempt;
    int attempts_made;
    bool replayable;
    milliseconds time_left;
    Verdict verdict;
    Held held;
  };
  const Case cases[] = {
      {"attempts left", status(503), 2, true, 60s, Verdict::retry, Held::none},
      {"the last attempt", status(503), 3, true, 60s, Verdict::exhausted, Held::no_attempts_left},
      {"Retry-After past the deadline", status_with_retry_after(429, 5s), 1, true, 3s,
       Verdict::exhausted, Held::past_deadline},
      {"Retry-After exactly at the deadline", status_with_retry_after(429, 3s), 1, true, 3s,
       Verdict::exhausted, Held::past_deadline},
      {"Retry-After before the deadline", status_with_retry_after(429, 2s), 1, true, 3s,
       Verdict::retry, Held::none},
      {"backoff past the deadline", status(503), 1, true, 100ms, Verdict::exhausted,
       Held::past_deadline},
      {"a streamed body is never repeated", status(503), 1, false, 60s, Verdict::deliver,
       Held::not_replayable},
      {"a streamed body is delivered as is even without attempts", status(503), 3, false, 60s,
       Verdict::deliver, Held::not_replayable},
      {"non-transient answers are never exhausted", status(200), 3, true, 0ms, Verdict::deliver,
       Held::none},
  };
  for (const auto& c : cases) {
    const auto decision = decide_retry(policy(), "GET", c.attempt, c.attempts_made, c.replayable,
                                       c.time_left, fixed(0.5));
    EXPECT_EQ(decision.verdict, c.verdict) << c.what;
    EXPECT_EQ(decision.held, c.held) << c.what;
  }
}

TEST(DecideRetry, WaitsForTheServerHintElseBacksOff) {
  AttemptResult reset_only = status(429);
  reset_only.signals.until_reset = 7s;
  AttemptResult both = status_with_retry_after(429, 2s);
  both.signals.until_reset = 7s;
  struct Case {
    std::string_view what;
    AttemptResult attempt;
    int attempts_made;
    double random;
    milliseconds wait;
  };
  const Case cases[] = {
      {"Retry-After", status_with_retry_after(429, 1s), 1, 0.5, 1s},
      {"Retry-After beyond max_delay is still honoured", status_with_retry_after(429, 5s), 1, 0.5,
       5s},
      {"Retry-After: 0", status_with_retry_after(503, 0ms), 1, 0.5, 0ms},
      {"the reset header", reset_only, 1, 0.5, 7s},
      {"Retry-After wins over the reset header", both, 1, 0.5, 2s},
      {"first backoff, low draw", status(503), 1, 0.0, 100ms},
      {"first backoff, middle draw", status(503), 1, 0.5, 150ms},
      {"second backoff, middle draw", status(503), 2, 0.5, 250ms},
      {"a timeout backs off too", failure(TransportFailure::timeout, true), 1, 0.5, 150ms},
  };
  for (const auto& c : cases) {
    const auto decision =
        decide_retry(policy(), "GET", c.attempt, c.attempts_made, true, 60s, fixed(c.random));
    ASSERT_EQ(decision.verdict, Verdict::retry) << c.what;
    EXPECT_EQ(decision.wait, c.wait) << c.what;
  }
}

TEST(BackoffDelay, StaysBetweenBaseAndTheDoublingCap) {
  struct Case {
    milliseconds base;
    milliseconds max;
    int retry;
    double random;
    milliseconds expected;
  };
  const Case cases[] = {
      {100ms, 1000ms, 1, 0.0, 100ms},    {100ms, 1000ms, 1, 0.999, 199ms},
      {100ms, 1000ms, 3, 0.999, 799ms},  {100ms, 1000ms, 4, 0.999, 999ms},
      {100ms, 1000ms, 60, 1.0, 1000ms},  {100ms, 1000ms, 1000, 0.5, 550ms},
      {2000ms, 30000ms, 2, 0.5, 5000ms}, {5000ms, 1000ms, 1, 0.5, 1000ms},
      {0ms, 1000ms, 3, 0.9, 0ms},        {100ms, 1000ms, 1, 7.0, 200ms},
  };
  for (const auto& c : cases) {
    RetryPolicy p;
    p.base_delay = c.base;
    p.max_delay = c.max;
    EXPECT_EQ(backoff_delay(p, c.retry, fixed(c.random)), c.expected)
        << c.base.count() << "/" << c.max.count() << " retry " << c.retry << " r " << c.random;
  }
}

TEST(BackoffDelay, DefaultRandomSpreadsWithinBounds) {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 10'000ms;
  const auto random = default_unit_random();
  milliseconds lowest = 1h, highest = 0ms;
  for (int i = 0; i < 2000; ++i) {
    const auto wait = backoff_delay(p, 2, random);
    lowest = std::min(lowest, wait);
    highest = std::max(highest, wait);
  }
  EXPECT_GE(lowest, 100ms);
  EXPECT_LE(highest, 400ms);
  // Full jitter: 2000 draws cover most of the range.
  EXPECT_LT(lowest, 150ms);
  EXPECT_GT(highest, 350ms);
}

TEST(MakeRetryPolicy, LetsTheCallerOverrideTheCount) {
  config::RetryConfig config;
  config.max_attempts = 4;
  struct Case {
    std::optional<int> retries;
    int max_attempts;
  };
  const Case cases[] = {{std::nullopt, 4}, {0, 1}, {1, 2}, {7, 8}, {1000, 1 + kMaxCallerRetries}};
  for (const auto& c : cases) {
    EXPECT_EQ(make_retry_policy(config, c.retries, {}).max_attempts, c.max_attempts)
        << c.retries.value_or(-1);
  }
  const auto p = make_retry_policy(config, std::nullopt, {418});
  EXPECT_EQ(p.retry_on, config.retry_on);
  EXPECT_EQ(p.caller_retry_on, std::vector<int>{418});
}

TEST(MakeRetryPolicy, TheIntegrationListDecidesWhichStatusesAreTransient) {
  config::RetryConfig config;
  config.retry_on = {429};
  const auto p = make_retry_policy(config, std::nullopt, {});
  EXPECT_EQ(decide_retry(p, "GET", status(502), 1, true, 60s, fixed(0)).verdict, Verdict::deliver);
  EXPECT_EQ(decide_retry(p, "GET", status(429), 1, true, 60s, fixed(0)).verdict, Verdict::retry);
}

TEST(CallBudget, IsTheAttemptTimeoutTimesTheAttempts) {
  RetryPolicy p;
  p.max_attempts = 4;
  EXPECT_EQ(call_budget(p, 100s), 400s);
  EXPECT_EQ(call_budget(p, 1s), 4s);
  EXPECT_EQ(call_budget(p, 0s), kUntimedCallBudget);
}

TEST(ReasonName, NamesEveryReason) {
  EXPECT_EQ(reason_name(RetryReason::none), "");
  for (auto reason : {RetryReason::connect_failed, RetryReason::connect_timeout,
                      RetryReason::timeout, RetryReason::connection_lost, RetryReason::rate_limited,
                      RetryReason::bad_gateway, RetryReason::service_unavailable,
                      RetryReason::gateway_timeout, RetryReason::listed_status}) {
    EXPECT_FALSE(reason_name(reason).empty()) << static_cast<int>(reason);
  }
  EXPECT_EQ(reason_name(RetryReason::rate_limited), "rate_limited");
  EXPECT_EQ(held_name(Held::none), "");
  EXPECT_EQ(held_name(Held::unsafe_method), "unsafe_method");
  EXPECT_EQ(held_name(Held::not_replayable), "not_replayable");
  EXPECT_EQ(held_name(Held::no_attempts_left), "attempts_exhausted");
  EXPECT_EQ(held_name(Held::past_deadline), "deadline");
}

}  // namespace
}  // namespace ferry::proxy
