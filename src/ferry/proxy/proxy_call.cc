#include "ferry/proxy/proxy_call.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <nlohmann/json.hpp>

#include "ferry/auth/credential_source.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/proxy/deprecated_endpoints.h"
#include "ferry/proxy/oauth1_signing.h"
#include "ferry/store/activity_writer.h"

namespace ferry::proxy {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// An OAuth 1.0a signature covers a form body's parameters, so such a body is held whole.
constexpr std::size_t kMaxSignedFormBytes = 1024 * 1024;

Error form_too_large() {
  return Error{Errc::invalid_argument,
               "a form-encoded body of an OAuth 1.0a call is signed, so it is held whole; it "
               "may be at most 1 MiB"};
}

nlohmann::json attempt_json(const AttemptRecord& attempt) {
  nlohmann::json out = nlohmann::json::object();
  if (attempt.status != 0) {
    out["status"] = attempt.status;
  } else {
    out["error"] = observe::redact(attempt.error);
  }
  if (!attempt.reason.empty()) out["reason"] = attempt.reason;
  if (attempt.paused.count() > 0) out["paused_ms"] = attempt.paused.count();
  out["wait_ms"] = attempt.wait.count();
  return out;
}

// The activity log's view of the attempts: {"attempts": [...], "retries_exhausted": true,
// "retry": "not-replayable"} (the last two only when they apply).
nlohmann::json attempt_details(const ForwardOutcome& outcome) {
  nlohmann::json details = nlohmann::json::object();
  nlohmann::json attempts = nlohmann::json::array();
  for (const auto& attempt : outcome.attempt_log) attempts.push_back(attempt_json(attempt));
  details["attempts"] = std::move(attempts);
  if (outcome.retries_exhausted) details["retries_exhausted"] = true;
  if (outcome.not_replayable) details["retry"] = "not-replayable";
  return details;
}

// The form body of a request to sign, whole: a buffered body is copied (and stays unread),
// a streamed one is read to its end. Errc::invalid_argument past
// kMaxSignedFormBytes, or when the client stops sending it.
net::awaitable<Result<std::string>> read_form_body(http::BodySource& body) {
  if (auto* buffered = dynamic_cast<http::BufferedBody*>(&body)) {
    if (buffered->bytes().size() > kMaxSignedFormBytes) co_return form_too_large();
    co_return buffered->bytes();
  }
  std::string bytes;
  for (;;) {
    auto piece = co_await body.next();
    if (!piece) co_return piece.error();
    if (piece->empty()) break;
    if (bytes.size() + piece->size() > kMaxSignedFormBytes) co_return form_too_large();
    bytes.append(*piece);
  }
  co_return bytes;
}

ForwardOutcome failed(Error error) {
  ForwardOutcome outcome;
  outcome.error = std::move(error);
  return outcome;
}

}  // namespace

ProxyCall::ProxyCall(const ProxyDependencies& deps, ProxyRequest request)
    : deps_(deps), request_(std::move(request)), started_(Clock::now()) {}

RetryPlan ProxyCall::retry_plan(const http::OutboundRequest& request) const {
  const config::Integration& integration = *plan_->integration().config;
  RetryPlan plan;
  plan.policy = make_retry_policy(integration.retry, request_.retries, request_.retry_on);
  plan.rate_limit_headers = integration.retry.rate_limit_headers;
  plan.deadline = Clock::now() + call_budget(plan.policy, plan_->integration().timeout);
  plan.pauses = deps_.quota_pauses.get();
  plan.quota_key = QuotaKey{request_.key.provider_config_key, request_.key.connection_id,
                            request.origin.host};
  return plan;
}

net::awaitable<Result<http::OutboundRequest>> ProxyCall::reauthorize() {
  auto connection = co_await deps_.credentials->usable_connection(request_.key, true);
  if (!connection) co_return connection.error();
  co_return plan_->build(**connection, request_.method, request_.method_name);
}

std::string ProxyCall::method_text() const {
  return request_.method == http::Verb::unknown
             ? request_.method_name
             : std::string(http::bhttp::to_string(request_.method));
}

std::optional<Error> ProxyCall::screen_deprecated(std::string_view target, bool resolved) {
  const PreparedIntegration& integration = plan_->integration();
  if (integration.deprecated_endpoints.empty()) return std::nullopt;
  const std::string method = method_text();
  const config::DeprecatedEndpoint* listed = integration.deprecated_endpoints.match(method, target);
  if (!listed) return std::nullopt;
  std::string message = deprecated_endpoint_message(*listed, method);
  if (integration.config->deprecated_endpoint_policy == config::DeprecatedEndpointPolicy::reject) {
    return Error{Errc::deprecated_endpoint, std::move(message)};
  }
  if (resolved && deprecation_warning_.empty()) {
    observe::warn("[{}] [connection: {}] {}", request_.key.provider_config_key,
                  request_.key.connection_id, message);
    deprecation_warning_ = std::move(message);
  }
  return std::nullopt;
}

net::awaitable<ForwardOutcome> ProxyCall::run(http::BodySource& body) {
  const PreparedIntegration* integration = deps_.project->find(request_.key.provider_config_key);
  if (!integration) {
    co_return failed(Error{Errc::not_found, "unknown integration \"" +
                                                request_.key.provider_config_key + "\""});
  }
  auto plan = TargetPlan::make(*integration, request_.base_url_override, request_.endpoint,
                               request_.query, request_.headers);
  if (!plan) co_return failed(plan.error());
  plan_ = std::move(*plan);
  // Shown only through sinks that redact (the log and the activity writer): not redacted
  // here, on the request path.
  display_url_ = plan_->display_url();
  // Before the credentials: reading them may refresh a token, a call to the provider too.
  if (!integration->deprecated_endpoints.empty()) {
    if (auto refused = screen_deprecated(plan_->base().path() + request_.endpoint, false)) {
      co_return failed(std::move(*refused));
    }
  }

  auto connection = co_await deps_.credentials->usable_connection(request_.key, false);
  if (!connection) co_return failed(connection.error());
  auto request = plan_->build(**connection, request_.method, request_.method_name);
  if (!request) co_return failed(request.error());
  // A placeholder may have spelled the endpoint: what is sent is checked too.
  if (auto refused = screen_deprecated(request->target, true)) {
    co_return failed(std::move(*refused));
  }
  if (observe::enabled(observe::Level::debug)) {
    observe::debug("proxy upstream request {} {}{} headers: {}", request->method_string(),
                   request->origin.key(), observe::redact(request->target),
                   describe_headers(request->headers, *integration->config));
  }
  RetryPlan retry = retry_plan(*request);
  // Only OAuth 2 access tokens can be refreshed after a 401 (DESIGN.md §4, Refresh).
  if ((*connection)->credentials.type == store::CredentialType::oauth2) {
    retry.reauthorize = [this] { return reauthorize(); };
  }
  http::BodySource* sent_body = &body;
  std::optional<http::BufferedBody> held_form;  // a streamed form body, held to be signed
  if (auto signer = OAuth1Signer::for_call(*integration->config, (*connection)->credentials)) {
    if (OAuth1Signer::has_form_body(*request)) {
      auto form = co_await read_form_body(body);
      if (!form) co_return failed(form.error());
      if (auto parsed = signer->set_form_body(*form); !parsed) co_return failed(parsed.error());
      if (!body.replayable()) sent_body = &held_form.emplace(std::move(*form));
    }
    retry.before_attempt = [signer = std::move(*signer)](http::OutboundRequest& outbound) {
      return signer.sign(outbound);
    };
  }
  co_return co_await forward(*deps_.exchange, std::move(*request), *sent_body, retry);
}

void ProxyCall::record(int status, std::uint64_t bytes_in, std::uint64_t bytes_out,
                       const ForwardOutcome* outcome, const std::string& error_message) {
  store::ActivityEntry entry;
  entry.type = "proxy";
  entry.provider_config_key = request_.key.provider_config_key;
  entry.connection_id = request_.key.connection_id;
  entry.method = method_text();
  entry.url = display_url_;
  entry.status = status;
  const auto elapsed = Clock::now() - started_;
  entry.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  entry.bytes_in = static_cast<std::int64_t>(bytes_in);
  entry.bytes_out = static_cast<std::int64_t>(bytes_out);
  if (outcome) {
    entry.attempts = outcome->attempts;
    entry.details = attempt_details(*outcome);
  }
  entry.level = status >= 500 || status == 0 ? "error" : status >= 400 ? "warn" : "info";
  if (!error_message.empty()) entry.message = error_message;  // the activity writer redacts
  if (!deprecation_warning_.empty()) {
    entry.details["warnings"] = nlohmann::json::array({deprecation_warning_});
    if (entry.message.empty()) entry.message = deprecation_warning_;
    if (entry.level == "info") entry.level = "warn";
  }
  if (observe::enabled(observe::Level::http)) {
    observe::http("proxy {} {} {} {} attempt(s) {}ms", entry.method, entry.url, status,
                  entry.attempts, entry.duration_ms);
  }
  if (deps_.activity) deps_.activity->record(std::move(entry));
  // Only calls that went upstream, so under an integration of the configuration: a
  // request's unchecked Provider-Config-Key never becomes a label.
  const observe::IntegrationMetrics* metrics = plan_ ? plan_->integration().metrics : nullptr;
  if (metrics && outcome && outcome->attempts > 0) {
    const int upstream_status = outcome->response ? outcome->response->status() : 0;
    metrics->record_proxy_call(upstream_status, outcome->attempts, elapsed);
  }
}

}  // namespace ferry::proxy
