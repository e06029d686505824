#include "ferry/proxy/retry_policy.h"

#include "ferry/http/client/outbound_request.h"

#include <algorithm>
#include <array>
#include <random>

namespace ferry::proxy {
namespace {

bool contains(const std::vector<int>& statuses, int status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

RetryReason status_reason(int status) {
  switch (status) {
    case 429:
      return RetryReason::rate_limited;
    case 502:
      return RetryReason::bad_gateway;
    case 503:
      return RetryReason::service_unavailable;
    case 504:
      return RetryReason::gateway_timeout;
    default:
      return RetryReason::listed_status;
  }
}

RetryReason failure_reason(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::connect_failed:
      return RetryReason::connect_failed;
    case TransportFailure::connect_timeout:
      return RetryReason::connect_timeout;
    case TransportFailure::timeout:
      return RetryReason::timeout;
    case TransportFailure::connection_lost:
      return RetryReason::connection_lost;
    case TransportFailure::none:
      break;
  }
  return RetryReason::none;
}

// Whether a method that is not idempotent may repeat `attempt`: only when the upstream
// provably did not act on it, or the caller said the status is safe to repeat.
bool safe_to_repeat(const RetryPolicy& policy, const AttemptResult& attempt) {
  if (attempt.failure != TransportFailure::none) return !attempt.request_sent;
  if (contains(policy.caller_retry_on, attempt.status)) return true;
  // 429 means "not processed"; a 503 with Retry-After is a deliberate refusal (RFC 9110
  // §15.6.4), not a crash halfway through.
  if (attempt.status == 429) return true;
  return attempt.status == 503 && attempt.signals.retry_after.has_value();
}

}  // namespace

UnitRandom default_unit_random() {
  return [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::string_view reason_name(RetryReason reason) {
  switch (reason) {
    case RetryReason::none:
      return "";
    case RetryReason::connect_failed:
      return "connect_failed";
    case RetryReason::connect_timeout:
      return "connect_timeout";
    case RetryReason::timeout:
      return "timeout";
    case RetryReason::connection_lost:
      return "connection_lost";
    case RetryReason::rate_limited:
      return "rate_limited";
    case RetryReason::bad_gateway:
      return "bad_gateway";
    case RetryReason::service_unavailable:
      return "service_unavailable";
    case RetryReason::gateway_timeout:
      return "gateway_timeout";
    case RetryReason::listed_status:
      return "listed_status";
  }
  return "";
}

std::string_view held_name(Held held) {
  switch (held) {
    case Held::none:
      return "";
    case Held::unsafe_method:
      return "unsafe_method";
    case Held::not_replayable:
      return "not_replayable";
    case Held::no_attempts_left:
      return "attempts_exhausted";
    case Held::past_deadline:
      return "deadline";
  }
  return "";
}

RetryPolicy make_retry_policy(const config::RetryConfig& config, std::optional<int> caller_retries,
                              std::vector<int> caller_retry_on) {
  RetryPolicy policy;
  policy.max_attempts = std::max(1, config.max_attempts);
  if (caller_retries) policy.max_attempts = 1 + std::clamp(*caller_retries, 0, kMaxCallerRetries);
  policy.base_delay = config.base_delay;
  policy.max_delay = config.max_delay;
  policy.retry_on = config.retry_on;
  policy.caller_retry_on = std::move(caller_retry_on);
  return policy;
}

milliseconds call_budget(const RetryPolicy& policy, std::chrono::seconds attempt_timeout) {
  if (attempt_timeout.count() <= 0) return kUntimedCallBudget;
  return std::chrono::duration_cast<milliseconds>(attempt_timeout) * policy.max_attempts;
}

RetryReason classify(const RetryPolicy& policy, const AttemptResult& attempt) {
  if (attempt.failure != TransportFailure::none) return failure_reason(attempt.failure);
  if (contains(policy.retry_on, attempt.status) ||
      contains(policy.caller_retry_on, attempt.status)) {
    return status_reason(attempt.status);
  }
  return RetryReason::none;
}

milliseconds backoff_delay(const RetryPolicy& policy, int retry, const UnitRandom& random) {
  const milliseconds base = policy.base_delay;
  if (base >= policy.max_delay) return policy.max_delay;
  // Doubling stops at the cap, so the shift never overflows.
  milliseconds ceiling = base;
  for (int i = 0; i < retry && ceiling < policy.max_delay; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.max_delay);
  const double r = std::clamp(random(), 0.0, 1.0);
  const auto spread = static_cast<double>((ceiling - base).count());
  return base + milliseconds(static_cast<milliseconds::rep>(spread * r));
}

RetryDecision decide_retry(const RetryPolicy& policy, std::string_view method,
                           const AttemptResult& attempt, int attempts_made, bool replayable,
                           milliseconds time_left, const UnitRandom& random) {
  RetryDecision decision;
  decision.reason = classify(policy, attempt);
  if (decision.reason == RetryReason::none) return decision;
  if (!http::is_idempotent(method) && !safe_to_repeat(policy, attempt)) {
    decision.held = Held::unsafe_method;
    return decision;
  }
  if (!replayable) {
    decision.held = Held::not_replayable;
    return decision;
  }
  if (attempts_made >= policy.max_attempts) {
    decision.verdict = Verdict::exhausted;
    decision.held = Held::no_attempts_left;
    return decision;
  }
  // The server's hint beats our guess: it knows when its quota resets.
  const auto hint = attempt.signals.server_wait();
  const milliseconds wait = hint ? *hint : backoff_delay(policy, attempts_made, random);
  // Sleeping past the caller's deadline only turns a 429 into a later 429.
  if (wait >= time_left) {
    decision.verdict = Verdict::exhausted;
    decision.held = Held::past_deadline;
    return decision;
  }
  decision.verdict = Verdict::retry;
  decision.wait = wait;
  return decision;
}

}  // namespace ferry::proxy
