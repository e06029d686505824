#include "ferry/proxy/proxy_route.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "ferry/auth/credential_source.h"
#include "ferry/auth/placeholders.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/proxy/control_headers.h"
#include "ferry/proxy/forwarder.h"
#include "ferry/proxy/retry_policy.h"
#include "ferry/proxy/upstream_request.h"
#include "ferry/store/activity_writer.h"

namespace ferry::proxy {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

HeaderList inbound_headers(const http::StreamContext& ctx) {
  HeaderList headers;
  for (const auto& field : ctx.parser.get()) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return headers;
}

std::string raw_query(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

// Whether the caller's request carries a body that is still unread.
bool has_unread_body(const http::StreamContext& ctx) {
  const auto& parser = ctx.parser;
  if (parser.is_done()) return false;
  return parser.get().chunked() || parser.content_length().value_or(0) > 0;
}

// Reads a body small enough to keep, so an attempt can be repeated.
net::awaitable<Result<std::string>> read_buffered_body(http::StreamContext& ctx,
                                                       std::size_t limit) {
  bhttp::request_parser<bhttp::string_body> parser{std::move(ctx.parser)};
  parser.body_limit(limit);
  boost::system::error_code ec;
  ctx.stream.expires_after(ctx.options.io_timeout);
  co_await bhttp::async_read(ctx.stream, ctx.buffer, parser,
                             net::redirect_error(net::use_awaitable, ec));
  if (ec)
    co_return Error{Errc::invalid_argument, "the request body could not be read: " + ec.message()};
  co_return std::move(parser.get().body());
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

// Only OAuth 2 access tokens can be refreshed after a 401 (DESIGN.md §4, Refresh).
bool is_refreshable(const store::Connection& connection) {
  auto type = connection.credentials.find("type");
  return type != connection.credentials.end() && type->is_string() && *type == "OAUTH2";
}

class ProxyCall {
 public:
  ProxyCall(const ProxyDependencies& deps, http::StreamContext& ctx)
      : deps_(deps), ctx_(ctx), started_(Clock::now()) {
    entry_.type = "proxy";
    entry_.method = std::string(ctx.parser.get().method_string());
  }

  net::awaitable<std::optional<http::Response>> run();

 private:
  std::optional<http::Response> reject(const Error& error);
  void record(int status, const ForwardOutcome* outcome, const std::string& message);
  RetryPlan retry_plan(const ControlHeaders& control, const UpstreamCall& call);
  // The call rebuilt with force-refreshed credentials, after an upstream 401.
  net::awaitable<Result<UpstreamCall>> reauthorize();

  const ProxyDependencies& deps_;
  http::StreamContext& ctx_;
  const Clock::time_point started_;
  store::ActivityEntry entry_;
  // What building the call took, kept for reauthorize().
  const config::Integration* integration_ = nullptr;
  std::optional<TargetPlan> plan_;
  HeaderList forwarded_;
  std::string query_;
  std::chrono::seconds timeout_{0};
};

RetryPlan ProxyCall::retry_plan(const ControlHeaders& control, const UpstreamCall& call) {
  RetryPlan plan;
  plan.policy = make_retry_policy(integration_->retry, control.retries, control.retry_on);
  plan.rate_limit_headers = integration_->retry.rate_limit_headers;
  plan.deadline = Clock::now() + call_budget(plan.policy, timeout_);
  plan.pauses = deps_.quota_pauses;
  plan.quota_key = QuotaKey{control.provider_config_key, control.connection_id, call.origin.host};
  return plan;
}

net::awaitable<Result<UpstreamCall>> ProxyCall::reauthorize() {
  const store::ConnectionKey key{entry_.provider_config_key, entry_.connection_id};
  auto connection = co_await deps_.credentials->usable_connection(key, /*force_refresh=*/true);
  if (!connection) co_return connection.error();
  auto call = build_call(*integration_, *plan_, *connection, forwarded_, ctx_.rest, query_,
                         timeout_);
  if (!call) co_return call.error();
  call->method = ctx_.parser.get().method();
  call->method_string = std::string(ctx_.parser.get().method_string());
  co_return std::move(*call);
}

std::optional<http::Response> ProxyCall::reject(const Error& error) {
  // The body was not read: the connection cannot carry another request.
  if (has_unread_body(ctx_)) ctx_.must_close = true;
  auto response = http::error_response(error, ctx_.parser.get().version());
  record(static_cast<int>(response.result_int()), nullptr, error.message);
  return response;
}

void ProxyCall::record(int status, const ForwardOutcome* outcome, const std::string& message) {
  entry_.status = status;
  entry_.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  if (outcome) {
    entry_.bytes_in = static_cast<std::int64_t>(outcome->bytes_in);
    entry_.bytes_out = static_cast<std::int64_t>(outcome->bytes_out);
    entry_.attempts = outcome->attempts;
    entry_.details = attempt_details(*outcome);
  }
  entry_.level = status >= 500 || status == 0 ? "error" : status >= 400 ? "warn" : "info";
  if (!message.empty()) entry_.message = observe::redact(message);
  if (observe::enabled(observe::Level::http)) {
    observe::http("proxy {} {} {} {} attempt(s) {}ms", entry_.method, entry_.url, status,
                  entry_.attempts, entry_.duration_ms);
  }
  if (deps_.activity) deps_.activity->record(entry_);
}

net::awaitable<std::optional<http::Response>> ProxyCall::run() {
  const HeaderList inbound = inbound_headers(ctx_);
  const std::string query = raw_query(ctx_.parser.get().target());
  auto control = read_control_headers(inbound);
  if (!control) co_return reject(control.error());
  entry_.provider_config_key = control->provider_config_key;
  entry_.connection_id = control->connection_id;
  const config::Integration* integration =
      deps_.project->find_integration(control->provider_config_key);
  integration_ = integration;
  if (!integration) {
    co_return reject(
        Error{Errc::not_found, "unknown integration \"" + control->provider_config_key + "\""});
  }
  // The guard runs on what the caller sent, before any credential is read.
  auto plan = plan_target(*integration, control->base_url_override, ctx_.rest, query);
  if (!plan) co_return reject(plan.error());
  entry_.url = observe::redact(plan->display_url);
  auto forwarded = forward_request_headers(inbound);
  if (!forwarded) co_return reject(forwarded.error());
  plan_ = *plan;
  forwarded_ = *forwarded;
  query_ = query;

  const store::ConnectionKey key{control->provider_config_key, control->connection_id};
  auto connection = co_await deps_.credentials->usable_connection(key, false);
  if (!connection) co_return reject(connection.error());
  timeout_ = integration->http_request_timeout.value_or(
      deps_.project->server.default_http_request_timeout);
  auto call = build_call(*integration, *plan, *connection, std::move(*forwarded), ctx_.rest, query,
                         timeout_);
  if (!call) co_return reject(call.error());
  call->method = ctx_.parser.get().method();
  call->method_string = std::string(ctx_.parser.get().method_string());
  if (observe::enabled(observe::Level::debug)) {
    observe::debug("proxy upstream request {} {}{} headers: {}", call->method_string,
                   call->origin.key(), observe::redact(call->target),
                   describe_headers(call->headers, *integration));
  }

  ClientRequest body;
  body.keep_alive = ctx_.parser.get().keep_alive();
  body.version = ctx_.parser.get().version();
  const auto length = ctx_.parser.content_length();
  body.streaming = ctx_.parser.get().chunked() || length.value_or(0) > deps_.replayable_body_bytes;
  if (!body.streaming && length.value_or(0) > 0) {
    auto read = co_await read_buffered_body(ctx_, deps_.replayable_body_bytes);
    if (!read) {
      ctx_.must_close = true;
      co_return reject(read.error());
    }
    body.buffered = std::move(*read);
  }

  RetryPlan retry = retry_plan(*control, *call);
  if (is_refreshable(*connection)) retry.reauthorize = [this] { return reauthorize(); };
  auto outcome = co_await forward(*deps_.client, *call, body, ctx_, retry);
  if (outcome.connection_broken) ctx_.must_close = true;
  if (outcome.error) {
    auto response = http::error_response(*outcome.error, body.version);
    if (outcome.retries_exhausted) response.set(kRetriesExhaustedHeader, "true");
    if (outcome.not_replayable) response.set(kRetryHeader, "not-replayable");
    record(static_cast<int>(response.result_int()), &outcome, outcome.error->message);
    co_return response;
  }
  record(outcome.status, &outcome, "");
  co_return std::nullopt;
}

}  // namespace

http::StreamHandler make_proxy_handler(std::shared_ptr<const ProxyDependencies> deps) {
  return [deps](http::StreamContext& ctx) -> net::awaitable<std::optional<http::Response>> {
    ProxyCall call(*deps, ctx);
    co_return co_await call.run();
  };
}

}  // namespace ferry::proxy
