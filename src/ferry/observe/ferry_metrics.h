#pragma once

// Ferry's metric families (README "Visibility"), declared in the registry of metrics.h.
// register_ferry_metrics() runs at start, so /metrics lists every family, and every
// configured integration's series at zero, before the first call.
#include <array>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "ferry/observe/metrics.h"

namespace ferry::observe {

// The status_class label values of ferry_upstream_responses_total, in this order. "error"
// is a call that got no upstream answer to deliver (a transport failure or timeout, or a
// failed token refresh after a 401).
inline constexpr std::array<std::string_view, 6> kStatusClasses = {"1xx", "2xx", "3xx",
                                                                   "4xx", "5xx", "error"};

// The index in kStatusClasses of an HTTP status: "1xx" to "5xx", or "error" for 0 (no
// answer) and anything out of range.
std::size_t status_class_index(int status);
std::string_view status_class(int status);

// How an action run ended (ferry_action_runs_total's outcome label).
enum class ActionRunOutcome { success, error, limit_killed };

// The series of one configured integration, created at zero by integration_metrics().
// Immutable; the counters and histograms it points to are lock-free and live until the
// process exits, so the proxy keeps a pointer per integration.
struct IntegrationMetrics {
  std::string integration;
  Histogram* proxy_duration = nullptr;                      // ferry_proxy_request_duration_seconds
  Histogram* proxy_attempts = nullptr;                      // ferry_proxy_request_attempts
  std::array<Counter*, kStatusClasses.size()> responses{};  // by kStatusClasses
  Counter* refresh_success = nullptr;     // ferry_token_refreshes_total{outcome="success"}
  Counter* refresh_failure = nullptr;     // ferry_token_refreshes_total{outcome="failure"}
  Histogram* refresh_duration = nullptr;  // ferry_token_refresh_duration_seconds
  std::array<Counter*, 3> action_runs{};  // ferry_action_runs_total, by ActionRunOutcome
  Histogram* action_duration = nullptr;   // ferry_action_run_duration_seconds

  // One proxied call that went upstream: the upstream's final status (0 when none was
  // delivered), the attempts made and the time from receipt to the end of the call.
  void record_proxy_call(int upstream_status, int attempts,
                         std::chrono::duration<double> elapsed) const;
  // One token renewal (a token request was made), and how long it took.
  void record_refresh(bool succeeded, std::chrono::duration<double> elapsed) const;
  // One action run that started, and how long it ran.
  void record_action_run(ActionRunOutcome outcome, std::chrono::duration<double> elapsed) const;

  // The responses counter of a kStatusClasses value (the last, "error", for anything else).
  Counter& responses_of(std::string_view status_class) const;
};

// The series of `integration`, created at zero on first use and the same object afterwards.
// REQUIRES: `integration` is a key of the configuration (never a request's unchecked value:
// each key is kept until the process exits). Thread-safe.
const IntegrationMetrics& integration_metrics(std::string_view integration);

// Declares every family below, and creates the series of each of `integrations`, of each
// action limit and of each webhook outcome, and every unlabelled series, all at zero: from
// start-up /metrics lists every family. Call once at start; calling again adds only what is
// new.
void register_ferry_metrics(std::span<const std::string> integrations);

// The proxy's upstream counters (DESIGN.md §5).
// Attempts to send a request upstream (connecting included).
Counter& upstream_attempts();
// Retries, by reason ("rate_limited", "timeout", "stale_connection", "unauthorized", ...).
Counter& upstream_retries(std::string_view reason);
// Milliseconds spent waiting before retries, and each such wait in seconds.
Counter& upstream_retry_wait_ms();
Histogram& upstream_retry_wait_seconds();
// Transient answers delivered because no attempt or time was left for another try.
Counter& upstream_retries_exhausted();
// Calls held back before sending because their quota was spent, and the time it took.
Counter& upstream_quota_pauses();
Counter& upstream_quota_pause_ms();

// The activity log's writer: entries waiting in its queue, and entries dropped at a full one.
Gauge& activity_queue_depth();
Counter& activity_entries_dropped();

// Connection-event deliveries to webhook_url, by what became of the event: one of
// kWebhookOutcomes ("delivered", "retry": it will be tried again, "dead": given up).
Counter& webhook_attempts(std::string_view outcome);
inline constexpr std::array<std::string_view, 3> kWebhookOutcomes = {"delivered", "retry",
                                                                     "dead"};

// Action runs stopped by a sandbox limit: "cpu_time", "memory" or "wall_time".
Counter& action_limit_kills(std::string_view limit);
inline constexpr std::array<std::string_view, 3> kActionLimits = {"cpu_time", "memory",
                                                                  "wall_time"};

}  // namespace ferry::observe
