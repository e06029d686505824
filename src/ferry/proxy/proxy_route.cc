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

  const ProxyDependencies& deps_;
  http::StreamContext& ctx_;
  const Clock::time_point started_;
  store::ActivityEntry entry_;
};

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
  }
  entry_.level = status >= 500 || status == 0 ? "error" : status >= 400 ? "warn" : "info";
  entry_.message = observe::redact(message);
  observe::http("proxy {} {} {} {} attempt(s) {}ms", entry_.method, entry_.url, status,
                entry_.attempts, entry_.duration_ms);
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

  const store::ConnectionKey key{control->provider_config_key, control->connection_id};
  auto connection = co_await deps_.credentials->usable_connection(key, false);
  if (!connection) co_return reject(connection.error());
  const auto timeout = integration->http_request_timeout.value_or(
      deps_.project->server.default_http_request_timeout);
  auto call = build_call(*integration, *plan, *connection, std::move(*forwarded), ctx_.rest, query,
                         timeout);
  if (!call) co_return reject(call.error());
  call->method = ctx_.parser.get().method();
  call->method_string = std::string(ctx_.parser.get().method_string());
  observe::debug("proxy upstream request {} {}{} headers: {}", call->method_string,
                 call->origin.key(), observe::redact(call->target),
                 describe_headers(call->headers, *integration));

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

  auto outcome = co_await forward(*deps_.client, *call, body, ctx_);
  if (outcome.connection_broken) ctx_.must_close = true;
  if (outcome.error) {
    auto response = http::error_response(*outcome.error, body.version);
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
