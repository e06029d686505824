#include "ferry/proxy/forwarder.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/observe/ferry_metrics.h"
#include "ferry/proxy/rate_limit.h"

namespace ferry::proxy {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

TransportFailure transport_failure(http::SendFailureKind kind) {
  switch (kind) {
    case http::SendFailureKind::connect_failed: return TransportFailure::connect_failed;
    case http::SendFailureKind::connect_timeout: return TransportFailure::connect_timeout;
    case http::SendFailureKind::timeout: return TransportFailure::timeout;
    case http::SendFailureKind::connection_lost: return TransportFailure::connection_lost;
    case http::SendFailureKind::refused:
    case http::SendFailureKind::body_unreadable:
      return TransportFailure::none;
  }
  return TransportFailure::none;
}

// The rate-limit headers `names` points at, from a response head.
HeaderList rate_limit_fields(const http::ResponseHead& head, const config::RateLimitHeaders& names) {
  HeaderList fields;
  for (const std::string* name : {&names.retry_after, &names.reset, &names.remaining}) {
    if (name->empty()) continue;
    if (auto it = head.find(*name); it != head.end()) {
      fields.emplace_back(*name, std::string(it->value()));
    }
  }
  return fields;
}

AttemptResult describe(const http::ExchangeOutcome& sent, const RetryPlan& plan) {
  AttemptResult result;
  if (!sent) {
    result.failure = transport_failure(sent.failure->kind);
    result.request_sent = sent.failure->request_sent;
    return result;
  }
  result.request_sent = true;
  result.status = sent.response->status();
  const auto& head = sent.response->head();
  // Most answers carry no rate-limit header at all: read the clock only when one does.
  auto fields = rate_limit_fields(head, plan.rate_limit_headers);
  if (!fields.empty()) {
    result.signals =
        read_rate_limit(plan.rate_limit_headers, fields, std::chrono::system_clock::now());
  }
  return result;
}

std::chrono::milliseconds time_left(const RetryPlan& plan) {
  if (plan.deadline == Clock::time_point::max()) return std::chrono::milliseconds::max();
  const auto now = Clock::now();
  if (plan.deadline <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(plan.deadline - now);
}

// Waits on an asio timer: the thread serves other requests meanwhile.
net::awaitable<void> sleep_for(std::chrono::milliseconds wait) {
  if (wait.count() <= 0) co_return;
  net::steady_timer timer(co_await net::this_coro::executor, wait);
  boost::system::error_code ec;
  co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
}

// Waits out a spent quota of the plan's key when the pause ends before the deadline; a
// longer pause is not waited (the upstream then answers for itself). The time waited.
net::awaitable<std::chrono::milliseconds> hold_for_quota(const RetryPlan& plan) {
  if (!plan.pauses) co_return std::chrono::milliseconds(0);
  const auto executor = co_await net::this_coro::executor;
  const auto pause = plan.pauses->remaining(executor, plan.quota_key, Clock::now());
  if (pause.count() <= 0 || pause >= time_left(plan)) co_return std::chrono::milliseconds(0);
  observe::upstream_quota_pauses().add();
  observe::upstream_quota_pause_ms().add(static_cast<std::uint64_t>(pause.count()));
  co_await sleep_for(pause);
  co_return pause;
}

// A response that says the quota is spent holds back later calls for the same key.
net::awaitable<void> note_quota(const RetryPlan& plan, const AttemptResult& result) {
  if (!plan.pauses) co_return;
  auto pause = result.signals.quota_pause();
  if (!pause || pause->count() <= 0) co_return;
  const auto executor = co_await net::this_coro::executor;
  plan.pauses->pause(executor, plan.quota_key, Clock::now(), *pause);
}

void count_retry(std::string_view reason, std::chrono::milliseconds wait) {
  observe::upstream_retries(reason).add();
  observe::upstream_retry_wait_ms().add(static_cast<std::uint64_t>(wait.count()));
}

}  // namespace

net::awaitable<ForwardOutcome> forward(http::Exchange& exchange, http::OutboundRequest request,
                                       http::BodySource& body, const RetryPlan& plan) {
  ForwardOutcome outcome;
  const bool replayable = body.replayable();
  outcome.not_replayable = !replayable;
  const std::string method(request.method_string());
  int counted = 0;  // attempts the retry policy counts
  bool reauthorized = false;
  for (;;) {
    const auto paused = co_await hold_for_quota(plan);
    ++outcome.attempts;
    observe::upstream_attempts().add();
    if (outcome.attempts > 1 && replayable) body.rewind();
    if (plan.before_attempt) {
      if (Status prepared = plan.before_attempt(request); !prepared) {
        AttemptRecord record;
        record.error = prepared.error().message;
        outcome.attempt_log.push_back(std::move(record));
        outcome.error = std::move(prepared).error();
        co_return outcome;
      }
    }
    http::ExchangeOutcome sent = co_await exchange.send(request, body);
    if (sent.stale_first_try) {
      // The exchange found a pooled connection closed and sent again on a new one: a try
      // of its own in the log, outside the policy's count.
      AttemptRecord stale;
      stale.error = sent.stale_first_try->error.message;
      stale.reason = "stale_connection";
      stale.paused = paused;
      outcome.attempt_log.push_back(std::move(stale));
      ++outcome.attempts;
      count_retry("stale_connection", std::chrono::milliseconds(0));
    }
    if (!sent && (sent.failure->kind == http::SendFailureKind::refused ||
                  sent.failure->kind == http::SendFailureKind::body_unreadable)) {
      // Nothing an attempt more could change: a header that must not be sent, or a caller
      // who stopped sending its body.
      outcome.body_unreadable = sent.failure->kind == http::SendFailureKind::body_unreadable;
      AttemptRecord record;
      record.error = sent.failure->error.message;
      outcome.attempt_log.push_back(std::move(record));
      outcome.error = std::move(sent.failure->error);
      co_return outcome;
    }
    const AttemptResult result = describe(sent, plan);
    AttemptRecord record;
    record.status = result.status;
    if (!sent) record.error = sent.failure->error.message;
    record.paused = sent.stale_first_try ? std::chrono::milliseconds(0) : paused;
    co_await note_quota(plan, result);

    if (result.status == 401 && plan.reauthorize && replayable && !reauthorized) {
      reauthorized = true;
      sent.response.reset();  // the 401's body is not needed: close instead of reading it
      auto rebuilt = co_await plan.reauthorize();
      record.reason = "unauthorized";
      outcome.attempt_log.push_back(std::move(record));
      if (!rebuilt) {
        outcome.error = rebuilt.error();
        co_return outcome;
      }
      count_retry("unauthorized", std::chrono::milliseconds(0));
      request = std::move(*rebuilt);
      continue;
    }
    ++counted;
    const auto decision = decide_retry(plan.policy, method, result, counted, replayable,
                                       time_left(plan), plan.random);
    if (decision.verdict == Verdict::retry) {
      sent.response.reset();  // discard the answer unread; the next attempt gets a new one
      record.reason = std::string(reason_name(decision.reason));
      record.wait = decision.wait;
      outcome.attempt_log.push_back(std::move(record));
      count_retry(reason_name(decision.reason), decision.wait);
      observe::upstream_retry_wait_seconds().observe(
          std::chrono::duration<double>(decision.wait).count());
      co_await sleep_for(decision.wait);
      continue;
    }
    record.reason = std::string(held_name(decision.held));
    outcome.attempt_log.push_back(std::move(record));
    if (decision.verdict == Verdict::exhausted) {
      outcome.retries_exhausted = true;
      observe::upstream_retries_exhausted().add();
    }
    if (sent) {
      outcome.response = std::move(sent.response);
    } else {
      outcome.error = std::move(sent.failure->error);
    }
    co_return outcome;
  }
}

}  // namespace ferry::proxy
