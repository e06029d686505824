#include "ferry/observe/ferry_metrics.h"

#include <map>
#include <memory>
#include <mutex>

namespace ferry::observe {
namespace {

// One family: its name, help text and, for histograms, bucket bounds.
struct FamilySpec {
  const char* name;
  const char* help;
};

constexpr FamilySpec kProxyDuration{
    "ferry_proxy_request_duration_seconds",
    "Proxied calls that went upstream, from receipt to the end of the answer, by integration."};
constexpr FamilySpec kProxyAttempts{"ferry_proxy_request_attempts",
                                    "Upstream attempts made per proxied call, by integration."};
constexpr FamilySpec kResponses{
    "ferry_upstream_responses_total",
    "Proxied calls by the class of the upstream answer delivered (error: none was).",
};
constexpr FamilySpec kRefreshes{"ferry_token_refreshes_total",
                                "OAuth token renewals by integration and outcome."};
constexpr FamilySpec kRefreshDuration{"ferry_token_refresh_duration_seconds",
                                      "Time taken by OAuth token renewals, by integration."};
constexpr FamilySpec kActionRuns{"ferry_action_runs_total",
                                 "Action runs by integration and outcome."};
constexpr FamilySpec kActionDuration{"ferry_action_run_duration_seconds",
                                     "Time taken by action runs, by integration."};
constexpr FamilySpec kLimitKills{"ferry_action_limit_kills_total",
                                 "Action runs stopped by a sandbox limit, by limit."};
constexpr FamilySpec kRetryWaitSeconds{"ferry_upstream_retry_wait_seconds",
                                       "Each wait before repeating an upstream request."};
constexpr FamilySpec kQueueDepth{"ferry_activity_queue_depth",
                                 "Activity-log entries waiting to be written."};
constexpr FamilySpec kDropped{"ferry_activity_entries_dropped_total",
                              "Activity-log entries dropped because the queue was full."};
constexpr FamilySpec kWebhookAttempts{"ferry_webhook_attempts_total",
                                      "Webhook delivery attempts, by what became of the event."};

std::vector<double> latency_bounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}
std::vector<double> attempt_bounds() { return {1, 2, 3, 4, 5, 6, 8, 10}; }
std::vector<double> wait_bounds() { return {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60}; }
std::vector<double> refresh_bounds() { return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}; }
std::vector<double> action_bounds() { return {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300}; }

constexpr std::array<std::string_view, 3> kRunOutcomes = {"success", "error", "limit_killed"};

std::unique_ptr<IntegrationMetrics> make_integration_metrics(std::string_view key) {
  auto m = std::make_unique<IntegrationMetrics>();
  m->integration = std::string(key);
  const Label integration{"integration", m->integration};
  m->proxy_duration =
      &histogram(kProxyDuration.name, kProxyDuration.help, latency_bounds(), {integration});
  m->proxy_attempts =
      &histogram(kProxyAttempts.name, kProxyAttempts.help, attempt_bounds(), {integration});
  for (std::size_t i = 0; i < kStatusClasses.size(); ++i) {
    m->responses[i] = &counter(kResponses.name, kResponses.help,
                               {integration, Label{"status_class", kStatusClasses[i]}});
  }
  m->refresh_success =
      &counter(kRefreshes.name, kRefreshes.help, {integration, Label{"outcome", "success"}});
  m->refresh_failure =
      &counter(kRefreshes.name, kRefreshes.help, {integration, Label{"outcome", "failure"}});
  m->refresh_duration =
      &histogram(kRefreshDuration.name, kRefreshDuration.help, refresh_bounds(), {integration});
  for (std::size_t i = 0; i < kRunOutcomes.size(); ++i) {
    m->action_runs[i] = &counter(kActionRuns.name, kActionRuns.help,
                                 {integration, Label{"outcome", kRunOutcomes[i]}});
  }
  m->action_duration =
      &histogram(kActionDuration.name, kActionDuration.help, action_bounds(), {integration});
  return m;
}

}  // namespace

std::size_t status_class_index(int status) {
  if (status < 100 || status > 599) return kStatusClasses.size() - 1;
  return static_cast<std::size_t>(status / 100 - 1);
}

std::string_view status_class(int status) { return kStatusClasses[status_class_index(status)]; }

void IntegrationMetrics::record_proxy_call(int upstream_status, int attempts,
                                           std::chrono::duration<double> elapsed) const {
  proxy_duration->observe(elapsed.count());
  proxy_attempts->observe(attempts);
  responses[status_class_index(upstream_status)]->add();
}

void IntegrationMetrics::record_refresh(bool succeeded,
                                        std::chrono::duration<double> elapsed) const {
  (succeeded ? refresh_success : refresh_failure)->add();
  refresh_duration->observe(elapsed.count());
}

void IntegrationMetrics::record_action_run(ActionRunOutcome outcome,
                                           std::chrono::duration<double> elapsed) const {
  action_runs[static_cast<std::size_t>(outcome)]->add();
  action_duration->observe(elapsed.count());
}

Counter& IntegrationMetrics::responses_of(std::string_view status_class) const {
  for (std::size_t i = 0; i < kStatusClasses.size(); ++i) {
    if (kStatusClasses[i] == status_class) return *responses[i];
  }
  return *responses.back();
}

const IntegrationMetrics& integration_metrics(std::string_view integration) {
  static std::mutex mutex;
  // Never destroyed, like the registry: pointers into it outlive static destructors.
  static auto* table =
      new std::map<std::string, std::unique_ptr<IntegrationMetrics>, std::less<>>();
  std::lock_guard lock(mutex);
  auto it = table->find(integration);
  if (it == table->end()) {
    it = table->emplace(std::string(integration), make_integration_metrics(integration)).first;
  }
  return *it->second;
}

void register_ferry_metrics(std::span<const std::string> integrations) {
  declare_family(kProxyDuration.name, kProxyDuration.help, MetricType::histogram, {"integration"},
                 latency_bounds());
  declare_family(kProxyAttempts.name, kProxyAttempts.help, MetricType::histogram, {"integration"},
                 attempt_bounds());
  declare_family(kResponses.name, kResponses.help, MetricType::counter,
                 {"integration", "status_class"});
  declare_family(kRefreshes.name, kRefreshes.help, MetricType::counter, {"integration", "outcome"});
  declare_family(kRefreshDuration.name, kRefreshDuration.help, MetricType::histogram,
                 {"integration"}, refresh_bounds());
  declare_family(kActionRuns.name, kActionRuns.help, MetricType::counter,
                 {"integration", "outcome"});
  declare_family(kActionDuration.name, kActionDuration.help, MetricType::histogram, {"integration"},
                 action_bounds());
  declare_family("ferry_upstream_retries_total", "Upstream requests repeated, by reason.",
                 MetricType::counter, {"reason"});
  for (const auto& key : integrations) (void)integration_metrics(key);
  for (auto limit : kActionLimits) (void)action_limit_kills(limit);
  for (auto outcome : kWebhookOutcomes) (void)webhook_attempts(outcome);
  (void)upstream_attempts();
  (void)upstream_retry_wait_ms();
  (void)upstream_retry_wait_seconds();
  (void)upstream_retries_exhausted();
  (void)upstream_quota_pauses();
  (void)upstream_quota_pause_ms();
  (void)activity_queue_depth();
  (void)activity_entries_dropped();
}

Counter& upstream_attempts() {
  static Counter& c = counter("ferry_upstream_attempts_total",
                              "Requests sent or tried upstream by the proxy, retries included.");
  return c;
}

Counter& upstream_retries(std::string_view reason) {
  return counter("ferry_upstream_retries_total", "Upstream requests repeated, by reason.", "reason",
                 reason);
}

Counter& upstream_retry_wait_ms() {
  static Counter& c = counter("ferry_upstream_retry_wait_milliseconds_total",
                              "Time spent waiting before repeating upstream requests.");
  return c;
}

Histogram& upstream_retry_wait_seconds() {
  static Histogram& h = histogram(kRetryWaitSeconds.name, kRetryWaitSeconds.help, wait_bounds());
  return h;
}

Counter& upstream_retries_exhausted() {
  static Counter& c =
      counter("ferry_upstream_retries_exhausted_total",
              "Transient upstream answers returned because no attempt or time was left.");
  return c;
}

Counter& upstream_quota_pauses() {
  static Counter& c = counter("ferry_upstream_quota_pauses_total",
                              "Calls held back before sending because their quota was spent.");
  return c;
}

Counter& upstream_quota_pause_ms() {
  static Counter& c = counter("ferry_upstream_quota_pause_milliseconds_total",
                              "Time calls were held back because their quota was spent.");
  return c;
}

Gauge& activity_queue_depth() {
  static Gauge& g = gauge(kQueueDepth.name, kQueueDepth.help);
  return g;
}

Counter& activity_entries_dropped() {
  static Counter& c = counter(kDropped.name, kDropped.help);
  return c;
}

Counter& webhook_attempts(std::string_view outcome) {
  return counter(kWebhookAttempts.name, kWebhookAttempts.help, {Label{"outcome", outcome}});
}

Counter& action_limit_kills(std::string_view limit) {
  return counter(kLimitKills.name, kLimitKills.help, {Label{"limit", limit}});
}

}  // namespace ferry::observe
