#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/http/client/exchange.h"
#include "ferry/proxy/quota_pauses.h"
#include "ferry/proxy/retry_policy.h"

namespace ferry::proxy {

// Response headers Ferry adds to a proxied answer.
// "true" when the answer is transient (429, 5xx, timeout...) and was not retried because no
// attempt or time was left.
inline constexpr std::string_view kRetriesExhaustedHeader = "X-Ferry-Retries-Exhausted";
// "not-replayable" when the request body was streamed, so the call was sent at most once.
inline constexpr std::string_view kRetryHeader = "X-Ferry-Retry";

// How a call is retried: the policy, where rate-limit hints are read, the deadline, the
// shared quota pauses and the 401 refresh hook. Built per call.
struct RetryPlan {
  RetryPolicy policy;
  config::RateLimitHeaders rate_limit_headers;
  // Waits (retry and quota pauses) that would end past this are not taken.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  QuotaBoard* pauses = nullptr;  // null = no proactive pause
  QuotaKey quota_key;
  UnitRandom random = default_unit_random();
  // Called at most once per call, after an upstream 401 when the body is replayable: the
  // request rebuilt with force-refreshed credentials, or why that failed (then the call
  // fails with that error). Empty = a 401 is delivered as is. Suspends.
  std::function<boost::asio::awaitable<Result<http::OutboundRequest>>()> reauthorize;
  // Called before every attempt with the request about to be sent (an OAuth 1.0a
  // connection signs each attempt afresh: a nonce is good for one request). An error ends
  // the call with it, nothing sent. Empty = requests go as built.
  std::function<Status(http::OutboundRequest&)> before_attempt;
};

// One attempt of a call, for the activity log.
struct AttemptRecord {
  int status = 0;      // upstream status; 0 when no response head was read
  std::string error;   // the transport failure when status is 0 (names the host, no secret)
  std::string reason;  // why it was repeated (a RetryReason name, "unauthorized",
                       // "stale_connection" for a pooled connection found closed), or why a
                       // transient answer was not ("unsafe_method", "not_replayable",
                       // "attempts_exhausted", "deadline"); "" otherwise
  std::chrono::milliseconds paused{0};  // held back before it was sent (spent quota)
  std::chrono::milliseconds wait{0};    // waited after it, before the next attempt
};

// What forward() produced: the response to deliver (its head read, its body not yet), or
// the error when there is none, with the story of the attempts.
struct ForwardOutcome {
  std::unique_ptr<http::UpstreamResponse> response;
  std::optional<Error> error;      // set exactly when response is null
  bool body_unreadable = false;    // the caller's streamed body could not be read
  int attempts = 0;
  std::vector<AttemptRecord> attempt_log;  // one per attempt, in order
  bool retries_exhausted = false;          // kRetriesExhaustedHeader must be sent
  bool not_replayable = false;             // the body streamed: no attempt could be repeated
};

// Sends `request` with `body` through `exchange` until the retry plan says to deliver.
//
// The attempt loop: before each attempt, waits out a spent quota of plan.quota_key (when
// that ends before the deadline). After each attempt's response head (the body unread) or
// transport failure, decide_retry() says deliver, retry after a wait (the response is
// dropped, which closes its connection; the wait is an asio timer) or exhausted (delivered,
// marked). A 401 gets one plan.reauthorize() and one more try, outside the policy's count.
// A body that cannot be replayed is sent once. A request the exchange refuses before
// sending (a header holding CR or LF) fails at once with that error.
//
// Suspends. Never throws for I/O errors: they come back in the outcome, naming the upstream
// host and no secret. Updates the upstream counters of observe/ferry_metrics.h.
boost::asio::awaitable<ForwardOutcome> forward(http::Exchange& exchange,
                                               http::OutboundRequest request,
                                               http::BodySource& body, const RetryPlan& plan);

}  // namespace ferry::proxy
