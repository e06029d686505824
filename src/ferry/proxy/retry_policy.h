#pragma once

// The retry decision of the proxy (DESIGN.md §5). Pure: no clock, no socket, randomness
// injected. The forwarder describes each attempt as an AttemptResult and asks decide_retry()
// what to do with it.
//
// Which attempts are transient:
//   connect_failed / connect_timeout  nothing was written: refused, reset or TLS handshake
//                                     failure while connecting, DNS, connect timeout
//   timeout / connection_lost         the per-attempt timeout, or a reset/close after the
//                                     request (or part of it) was written
//   429, 502, 503, 504                or whatever the integration's `retry.retry_on` lists,
//                                     plus the statuses of the caller's Retry-On header
// Who may retry them:
//   GET, HEAD, OPTIONS, PUT, DELETE, TRACE   all transient attempts;
//   anything else (POST, PATCH, ...)        only where the upstream provably did not act:
//                                           nothing written, 429, 503 with Retry-After —
//                                           or a status the caller lists in Retry-On.
// How long to wait: the server's hint (Retry-After, else the reset header), else
//   uniform(base_delay, min(max_delay, base_delay * 2^n)) for the n-th retry (full jitter
//   that never goes below the base). A wait that does not end before the call's deadline
//   is not taken: the attempt is delivered as is, marked exhausted.
//
// Example, jira:v0 (4 attempts, base 2 s, cap 30 s): a GET answered 429 Retry-After: 5
// waits 5 s; a GET answered 503 without a hint every time waits 2-4 s, 2-8 s, 2-16 s, then
// gets the fourth 503 marked exhausted; a POST that timed out is delivered as the 504 it is,
// since Jira may have created the issue.
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/proxy/rate_limit.h"

namespace ferry::proxy {

// Caller-supplied Retries beyond this are read as this: the deadline bounds a call anyway,
// and a fast-failing upstream should not see thousands of attempts.
inline constexpr int kMaxCallerRetries = 20;

// How long one call may take, waits included, when the integration has no per-attempt
// timeout.
inline constexpr std::chrono::minutes kUntimedCallBudget{10};

// Uniform random numbers in [0, 1). Injected so tests can pin the jitter.
using UnitRandom = std::function<double()>;

// A UnitRandom over a thread-local Mersenne Twister seeded from std::random_device.
UnitRandom default_unit_random();

// How an attempt failed below HTTP; none when a response head was read.
enum class TransportFailure {
  none,
  connect_failed,   // no connection: refused, reset, DNS or TLS handshake failure
  connect_timeout,  // no connection within the attempt timeout
  timeout,          // connected, then the attempt timeout passed
  connection_lost,  // connected, then reset or closed before a response head arrived
};

// One attempt, as the decision sees it.
struct AttemptResult {
  int status = 0;  // the response status; 0 when `failure` is set
  TransportFailure failure = TransportFailure::none;
  bool request_sent = false;  // some byte of the request was written to the socket
  RateLimitSignals signals;   // from the response head
};

// Why an attempt counts as transient (also the label of the retry metrics).
enum class RetryReason {
  none,  // not transient
  connect_failed,
  connect_timeout,
  timeout,
  connection_lost,
  rate_limited,         // 429
  bad_gateway,          // 502
  service_unavailable,  // 503
  gateway_timeout,      // 504
  listed_status,        // another status in retry_on or Retry-On
};

// "rate_limited", "timeout", ...; "" for none.
std::string_view reason_name(RetryReason reason);

// The retry settings of one call: the integration's `retry:` with the caller's overrides.
struct RetryPolicy {
  int max_attempts = 1;  // attempts in all, >= 1
  milliseconds base_delay{0};
  milliseconds max_delay{0};
  std::vector<int> retry_on;         // transient statuses (the integration's list)
  std::vector<int> caller_retry_on;  // Retry-On: transient, and retried for any method
};

// `config` overridden by the caller: `caller_retries` (the Retries header) replaces
// max_attempts - 1, capped at kMaxCallerRetries; `caller_retry_on` adds statuses.
RetryPolicy make_retry_policy(const config::RetryConfig& config, std::optional<int> caller_retries,
                              std::vector<int> caller_retry_on);

// The overall budget of a call: `attempt_timeout` times the attempts allowed, or
// kUntimedCallBudget when attempts have no timeout (zero).
milliseconds call_budget(const RetryPolicy& policy, std::chrono::seconds attempt_timeout);

// The transient condition of `attempt`, or RetryReason::none.
RetryReason classify(const RetryPolicy& policy, const AttemptResult& attempt);

enum class Verdict {
  deliver,    // give this answer (or failure) to the caller
  retry,      // wait RetryDecision::wait, then try again
  exhausted,  // transient and retryable, but no attempt or time is left: deliver, marked
};

// Why a transient attempt is delivered without a retry.
enum class Held { none, unsafe_method, not_replayable, no_attempts_left, past_deadline };

// "unsafe_method", "not_replayable", "attempts_exhausted", "deadline"; "" for none.
std::string_view held_name(Held held);

struct RetryDecision {
  Verdict verdict = Verdict::deliver;
  RetryReason reason = RetryReason::none;  // the attempt's transient condition
  Held held = Held::none;                  // set when transient but not retried
  milliseconds wait{0};                    // for Verdict::retry
};

// What to do after `attempt`, the `attempts_made`-th counted attempt (1-based) of a call to
// `method`. `replayable`: the request body can be sent again. `time_left`: until the call's
// deadline. Calls `random` only when it backs off without a server hint.
RetryDecision decide_retry(const RetryPolicy& policy, std::string_view method,
                           const AttemptResult& attempt, int attempts_made, bool replayable,
                           milliseconds time_left, const UnitRandom& random);

// The wait before retry number `retry` (1 = the first retry) without a server hint:
// uniform(base, min(max, base * 2^retry)); max when base > max.
milliseconds backoff_delay(const RetryPolicy& policy, int retry, const UnitRandom& random);

}  // namespace ferry::proxy
