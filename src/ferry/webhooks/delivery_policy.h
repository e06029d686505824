#pragma once

// What becomes of a webhook event after one delivery attempt: delivered on 2xx; tried again
// later on no answer (network error, timeout), 5xx, 408 and 429, with exponential backoff
// and jitter, or at the receiver's Retry-After when it gives one and asks for longer; dead
// (kept for replay) on any other answer, or once the next try would come later than
// `max_age` after the event was written.
#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "ferry/core/clock.h"
#include "ferry/store/types.h"

namespace ferry::webhooks {

struct DeliveryPolicy {
  std::chrono::milliseconds first_delay{1000};  // the backoff before the second attempt
  std::chrono::milliseconds max_delay{std::chrono::minutes(30)};
  std::chrono::seconds max_age{std::chrono::hours(72)};
};

// What one attempt produced: the receiver's status (0 when none came), its Retry-After
// value ("" when absent), or why no answer came.
struct DeliveryResult {
  int status = 0;
  std::string retry_after;
  std::string error;  // "" when an answer came
  std::chrono::milliseconds duration{0};
};

// True for the answers (and the lack of one) that a later try may turn into a delivery.
bool is_retryable(const DeliveryResult& result);

// The attempt as the outbox records it: `attempts_before` earlier attempts of an event
// written at `created_at`, this one ending at `now`. `random` draws the jitter: the wait is
// uniform in [d/2, d] for the backoff d, so receivers coming back up are not hit by every
// instance at once.
store::OutboxAttempt judge_attempt(const DeliveryResult& result, int attempts_before,
                                   TimePoint created_at, TimePoint now,
                                   const DeliveryPolicy& policy, std::mt19937_64& random);

}  // namespace ferry::webhooks
