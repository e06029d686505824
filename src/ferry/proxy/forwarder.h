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
#include "ferry/http/client/origin.h"
#include "ferry/http/message.h"
#include "ferry/proxy/forward_headers.h"
#include "ferry/proxy/quota_pauses.h"
#include "ferry/proxy/retry_policy.h"

namespace ferry::http {
class HttpClient;
struct StreamContext;
}  // namespace ferry::http

namespace ferry::proxy {

// One upstream request, fully decided: where, what, with which headers.
struct UpstreamCall {
  http::Origin origin;
  http::Verb method = http::Verb::get;
  std::string method_string;  // as sent by the caller (also for unknown verbs)
  std::string target;         // request line: path and query
  std::string host_header;
  HeaderList headers;  // forwarded + the integration's, interpolated
  std::chrono::steady_clock::duration attempt_timeout{};  // zero = none
};

// The caller's side of the exchange: how its body reaches upstream, and what its request
// header said (read before the body, whose parser may move).
struct ClientRequest {
  bool streaming = false;  // true: relayed from the client as it arrives, sent once
  std::string buffered;    // when !streaming: the whole body (possibly empty)
  bool keep_alive = true;
  unsigned version = 11;
};

// Response headers Ferry adds to a proxied answer.
// "true" when the answer is transient (429, 5xx, timeout...) and was not retried because no
// attempt or time was left.
inline constexpr std::string_view kRetriesExhaustedHeader = "X-Ferry-Retries-Exhausted";
// "not-replayable" when the request body was streamed, so the call was sent at most once.
inline constexpr std::string_view kRetryHeader = "X-Ferry-Retry";

// How a call is retried: the policy, where rate-limit hints are read, the deadline, the
// shared quota pauses and the 401 refresh hook. Built per call by the proxy route.
struct RetryPlan {
  RetryPolicy policy;
  config::RateLimitHeaders rate_limit_headers;
  // Waits (retry and quota pauses) that would end past this are not taken.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<QuotaPauses> pauses;  // null = no proactive pause
  QuotaKey quota_key;
  UnitRandom random = default_unit_random();
  // Called at most once per call, after an upstream 401 when the body is replayable: the
  // call rebuilt with force-refreshed credentials, or why that failed (then the call fails
  // with that error). Empty = a 401 is relayed as is. Suspends.
  std::function<boost::asio::awaitable<Result<UpstreamCall>>()> reauthorize;
};

// One attempt of a call, for the activity log.
struct AttemptRecord {
  int status = 0;      // upstream status; 0 when no response head was read
  std::string error;   // the transport failure when status is 0 (names the host, no secret)
  std::string reason;  // why it was repeated (a RetryReason name, "stale_connection",
                       // "unauthorized"), or why a transient answer was not ("unsafe_method",
                       // "not_replayable", "attempts_exhausted", "deadline"); "" otherwise
  std::chrono::milliseconds paused{0};  // held back before it was sent (spent quota)
  std::chrono::milliseconds wait{0};    // waited after it, before the next attempt
};

struct ForwardOutcome {
  int status = 0;                  // upstream status relayed to the client; 0 when none
  std::optional<Error> error;      // set when nothing was sent to the client (502/504/...)
  bool response_started = false;   // some of the response reached the client
  bool connection_broken = false;  // the client connection must be closed after this
  std::uint64_t bytes_in = 0;      // request body bytes sent upstream
  std::uint64_t bytes_out = 0;     // response body bytes sent to the client
  int attempts = 0;
  std::vector<AttemptRecord> attempt_log;  // one per attempt, in order
  bool retries_exhausted = false;          // kRetriesExhaustedHeader was (or must be) sent
  bool not_replayable = false;             // the body streamed: no attempt could be repeated
};

// Sends `call` upstream and relays the answer to the client in `ctx` as it arrives: status
// and headers unchanged except hop-by-hop ones, body streamed in 64 KiB pieces.
//
// The attempt loop: before each attempt, waits out a spent quota of plan.quota_key (when
// that ends before the deadline). After each attempt's response head (nothing relayed yet)
// or transport failure, decide_retry() says deliver, retry after a wait (the upstream
// connection is closed unread, the wait is an asio timer) or exhausted (delivered with
// kRetriesExhaustedHeader). Outside the policy's count: a pooled connection found closed is
// replaced at once, and a 401 gets one plan.reauthorize() and one more try. A streamed body
// (body.streaming) is sent once; its answer carries kRetryHeader: not-replayable.
//
// Suspends. Never throws for I/O errors: they come back in the outcome, with the upstream
// host named in the message and no secret. Updates the observe/metrics upstream counters.
boost::asio::awaitable<ForwardOutcome> forward(http::HttpClient& client, const UpstreamCall& call,
                                               ClientRequest& body, http::StreamContext& ctx,
                                               const RetryPlan& plan);

}  // namespace ferry::proxy
