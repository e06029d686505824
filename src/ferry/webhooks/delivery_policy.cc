#include "ferry/webhooks/delivery_policy.h"

#include <algorithm>

#include "ferry/proxy/rate_limit.h"

namespace ferry::webhooks {
namespace {

using std::chrono::milliseconds;

// first_delay * 2^attempts_before, capped at max_delay.
milliseconds backoff(int attempts_before, const DeliveryPolicy& policy) {
  milliseconds delay = policy.first_delay;
  for (int i = 0; i < attempts_before && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, policy.max_delay);
}

std::string describe(const DeliveryResult& result) {
  if (!result.error.empty()) return result.error;
  return "the receiver answered " + std::to_string(result.status);
}

}  // namespace

bool is_retryable(const DeliveryResult& result) {
  if (result.status == 0) return true;  // no answer: network error, timeout
  return result.status >= 500 || result.status == 408 || result.status == 429;
}

store::OutboxAttempt judge_attempt(const DeliveryResult& result, int attempts_before,
                                   TimePoint created_at, TimePoint now,
                                   const DeliveryPolicy& policy, std::mt19937_64& random) {
  store::OutboxAttempt attempt;
  attempt.at = now;
  attempt.status = result.status;
  attempt.duration_ms = result.duration.count();
  if (result.status >= 200 && result.status < 300) {
    attempt.next_state = store::OutboxState::delivered;
    return attempt;
  }
  attempt.error = describe(result);
  if (!is_retryable(result)) {
    attempt.next_state = store::OutboxState::dead;
    attempt.error += "; not retried (replay it once the receiver is fixed)";
    return attempt;
  }
  const milliseconds ceiling = backoff(attempts_before, policy);
  std::uniform_int_distribution<milliseconds::rep> jitter(ceiling.count() / 2, ceiling.count());
  milliseconds wait(jitter(random));
  if (auto asked = proxy::parse_retry_after(result.retry_after, now); asked && *asked > wait) {
    wait = *asked;
  }
  attempt.retry_at = now + wait;
  if (attempt.retry_at > created_at + policy.max_age) {
    attempt.next_state = store::OutboxState::dead;
    attempt.error += "; given up: the event is older than the retry limit";
    return attempt;
  }
  attempt.next_state = store::OutboxState::pending;
  return attempt;
}

}  // namespace ferry::webhooks
