#include "ferry/proxy/forwarder.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/string_body.hpp>
#include <set>

#include "ferry/core/strings.h"
#include "ferry/http/client/http_client.h"
#include "ferry/http/client/upstream_connection.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/observe/metrics.h"
#include "ferry/proxy/rate_limit.h"
#include "ferry/proxy/relay.h"

namespace ferry::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;
using ResponseParser = bhttp::response_parser<bhttp::buffer_body>;

namespace {

// "No timeout" still needs a bound for Beast's timer; a day is beyond any sane request.
Clock::duration effective(Clock::duration timeout) {
  return timeout.count() > 0 ? timeout : std::chrono::hours(24);
}

Error transport_error(const boost::system::error_code& ec, std::string_view step,
                      const http::Origin& origin) {
  if (ec == beast::error::timeout) {
    return Error{Errc::upstream_timeout,
                 "upstream " + origin.host + " did not answer in time (" + std::string(step) + ")"};
  }
  return Error{Errc::upstream_unreachable, "upstream " + origin.host + " failed while " +
                                               std::string(step) + ": " + ec.message()};
}

// A failure a closed keep-alive connection produces before any answer byte.
bool is_stale_connection_error(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

template <class Fields>
void set_upstream_headers(Fields& fields, const UpstreamCall& call) {
  fields.set(bhttp::field::host, call.host_header);
  for (const auto& [name, value] : call.headers) fields.insert(name, value);
}

struct Written {
  boost::system::error_code error;
  std::size_t bytes = 0;  // request bytes (header included) handed to the socket
};

template <class Stream>
net::awaitable<Written> write_buffered(Stream& stream, http::UpstreamConnection& connection,
                                       const UpstreamCall& call, const std::string& body) {
  bhttp::request<bhttp::string_body> request{call.method, call.target, 11};
  if (call.method == http::Verb::unknown) request.method_string(call.method_string);
  set_upstream_headers(request, call);
  request.body() = body;
  // Content-Length for a body (or for methods that expect one); none for an empty GET.
  request.prepare_payload();
  Written written;
  connection.tcp().expires_after(effective(call.attempt_timeout));
  written.bytes = co_await bhttp::async_write(
      stream, request, net::redirect_error(net::use_awaitable, written.error));
  co_return written;
}

// Relays the client's body upstream as it arrives. The client's parser message is reused as
// the upstream request: same body framing (Content-Length or chunked), our header fields.
template <class Stream>
net::awaitable<RelayResult> write_streaming(Stream& stream, const UpstreamCall& call,
                                            http::StreamContext& ctx) {
  bhttp::request_parser<bhttp::buffer_body> in{std::move(ctx.parser)};
  in.body_limit(boost::none);
  auto& message = in.get();
  const bool chunked = message.chunked();
  const auto length = in.content_length();
  for (auto it = message.begin(); it != message.end();) it = message.erase(it);
  message.method(call.method);
  if (call.method == http::Verb::unknown) message.method_string(call.method_string);
  message.target(call.target);
  message.version(11);
  set_upstream_headers(message, call);
  if (chunked) {
    message.chunked(true);
  } else if (length) {
    message.content_length(*length);
  }
  bhttp::request_serializer<bhttp::buffer_body> serializer{message};
  const auto timeout = effective(call.attempt_timeout);
  co_return co_await relay_body(ctx.stream, ctx.buffer, in, stream, serializer,
                                ctx.options.io_timeout, timeout);
}

template <class Stream>
net::awaitable<boost::system::error_code> read_head(Stream& stream,
                                                    http::UpstreamConnection& connection,
                                                    const UpstreamCall& call,
                                                    ResponseParser& parser) {
  parser.body_limit(boost::none);
  // A HEAD answer announces a body it does not send.
  if (call.method == http::Verb::head) parser.skip(true);
  boost::system::error_code ec;
  connection.tcp().expires_after(effective(call.attempt_timeout));
  co_await bhttp::async_read_header(stream, connection.buffer(), parser,
                                    net::redirect_error(net::use_awaitable, ec));
  co_return ec;
}

// Upstream headers go back unchanged except hop-by-hop ones; the body framing
// (Content-Length or chunked) is kept because the body is relayed as it comes.
void prepare_client_response(bhttp::response<bhttp::buffer_body>& response, bool keep_alive,
                             unsigned version, const ForwardOutcome& outcome) {
  std::set<std::string> named;
  for (auto it = response.find(bhttp::field::connection);
       it != response.end() && it->name() == bhttp::field::connection; ++it) {
    for (const auto& token : split(std::string_view(it->value().data(), it->value().size()), ',')) {
      named.insert(to_lower(trim(token)));
    }
  }
  for (auto it = response.begin(); it != response.end();) {
    std::string_view name(it->name_string().data(), it->name_string().size());
    const bool framing = iequals(name, "Transfer-Encoding") || iequals(name, "Content-Length");
    if (!framing && (is_hop_by_hop(name) || named.count(to_lower(name)))) {
      it = response.erase(it);
    } else {
      ++it;
    }
  }
  response.version(version);
  response.keep_alive(keep_alive);
  if (outcome.retries_exhausted) response.set(kRetriesExhaustedHeader, "true");
  if (outcome.not_replayable) response.set(kRetryHeader, "not-replayable");
}

template <class Stream>
net::awaitable<RelayResult> relay_response(Stream& stream, http::UpstreamConnection& connection,
                                           const UpstreamCall& call, ResponseParser& parser,
                                           http::StreamContext& ctx, bool keep_alive,
                                           unsigned version, const ForwardOutcome& outcome) {
  prepare_client_response(parser.get(), keep_alive, version, outcome);
  bhttp::response_serializer<bhttp::buffer_body> serializer{parser.get()};
  co_return co_await relay_body(stream, connection.buffer(), parser, ctx.stream, serializer,
                                effective(call.attempt_timeout), ctx.options.io_timeout);
}

}  // namespace

namespace {

// A pooled connection may have been closed while idle; the pool holds a bounded number per
// origin, so this many replacements always reach a fresh connection in practice.
constexpr int kMaxStaleReplacements = 100;

// What one attempt left behind.
struct AttemptIo {
  std::unique_ptr<http::UpstreamConnection> connection;  // null when none was acquired
  std::unique_ptr<ResponseParser> parser;                // holds the head when !error
  std::optional<Error> error;                            // the transport failure
  TransportFailure failure = TransportFailure::none;
  bool request_sent = false;
  bool stale = false;             // a reused connection closed before any answer byte
  bool body_read_failed = false;  // the client stopped sending its streamed body
  std::uint64_t bytes_in = 0;
};

TransportFailure after_connect(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ? TransportFailure::timeout
                                     : TransportFailure::connection_lost;
}

// Acquires a connection, writes the request and reads the response head.
net::awaitable<AttemptIo> attempt_once(http::HttpClient& client, const UpstreamCall& call,
                                       ClientRequest& body, http::StreamContext& ctx) {
  AttemptIo io;
  auto acquired = co_await client.acquire(call.origin, effective(call.attempt_timeout));
  if (!acquired) {
    io.error = acquired.error();
    io.failure = acquired.error().code == Errc::upstream_timeout ? TransportFailure::connect_timeout
                                                                 : TransportFailure::connect_failed;
    co_return io;
  }
  io.connection = std::move(*acquired);
  auto& connection = *io.connection;
  boost::system::error_code ec;
  std::string_view step = "sending the request";
  if (body.streaming) {
    auto sent =
        co_await connection.visit([&](auto& stream) { return write_streaming(stream, call, ctx); });
    io.bytes_in = sent.bytes;
    if (sent.failure == RelayFailure::read) {
      io.body_read_failed = true;
      co_return io;
    }
    ec = sent.error;
    // The header goes out before the first body byte; a streamed request is never
    // repeated, so "maybe sent" is the safe reading.
    io.request_sent = true;
  } else {
    auto written = co_await connection.visit(
        [&](auto& stream) { return write_buffered(stream, connection, call, body.buffered); });
    ec = written.error;
    io.request_sent = written.bytes > 0;
    io.bytes_in = body.buffered.size();
  }
  if (!ec) {
    step = "reading the response";
    io.request_sent = true;
    io.parser = std::make_unique<ResponseParser>();
    ec = co_await connection.visit(
        [&](auto& stream) { return read_head(stream, connection, call, *io.parser); });
  }
  if (ec) {
    io.error = transport_error(ec, step, call.origin);
    io.failure = after_connect(ec);
    io.stale = connection.reused() && is_stale_connection_error(ec);
  }
  co_return io;
}

// The rate-limit headers `names` points at, from a response head.
HeaderList rate_limit_fields(const bhttp::response_header<>& head,
                             const config::RateLimitHeaders& names) {
  HeaderList fields;
  for (const std::string& name : {names.retry_after, names.reset, names.remaining}) {
    if (name.empty()) continue;
    if (auto it = head.find(name); it != head.end()) {
      fields.emplace_back(name, std::string(it->value()));
    }
  }
  return fields;
}

AttemptResult describe(const AttemptIo& io, const RetryPlan& plan) {
  AttemptResult result;
  result.failure = io.failure;
  result.request_sent = io.request_sent;
  if (!io.error && io.parser) {
    const auto& head = io.parser->get();
    result.status = static_cast<int>(head.result_int());
    result.signals =
        read_rate_limit(plan.rate_limit_headers, rate_limit_fields(head, plan.rate_limit_headers),
                        std::chrono::system_clock::now());
  }
  return result;
}

std::chrono::milliseconds time_left(const RetryPlan& plan) {
  const auto now = Clock::now();
  if (plan.deadline <= now) return std::chrono::milliseconds(0);
  if (plan.deadline == Clock::time_point::max()) return std::chrono::milliseconds::max();
  return std::chrono::duration_cast<std::chrono::milliseconds>(plan.deadline - now);
}

// Waits on an asio timer: the thread serves other sessions meanwhile.
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
  const auto pause = plan.pauses->remaining(plan.quota_key, Clock::now());
  if (pause.count() <= 0 || pause >= time_left(plan)) co_return std::chrono::milliseconds(0);
  observe::upstream_quota_pauses().add();
  observe::upstream_quota_pause_ms().add(static_cast<std::uint64_t>(pause.count()));
  co_await sleep_for(pause);
  co_return pause;
}

// A response that says the quota is spent holds back later calls for the same key.
void note_quota(const RetryPlan& plan, const AttemptResult& result) {
  if (!plan.pauses) return;
  auto pause = result.signals.quota_pause();
  if (pause && pause->count() > 0) plan.pauses->pause(plan.quota_key, Clock::now(), *pause);
}

AttemptRecord start_record(const AttemptIo& io, const AttemptResult& result,
                           std::chrono::milliseconds paused) {
  AttemptRecord record;
  record.status = result.status;
  if (io.error) record.error = io.error->message;
  record.paused = paused;
  return record;
}

void count_retry(std::string_view reason, std::chrono::milliseconds wait) {
  observe::upstream_retries(reason).add();
  observe::upstream_retry_wait_ms().add(static_cast<std::uint64_t>(wait.count()));
}

// Relays the answer whose head `io` holds to the client, then pools the connection when the
// exchange ended cleanly.
net::awaitable<void> relay_answer(http::HttpClient& client, AttemptIo& io, const UpstreamCall& call,
                                  const ClientRequest& body, http::StreamContext& ctx,
                                  ForwardOutcome& outcome) {
  auto& connection = io.connection;
  auto& parser = io.parser;
  const bool upstream_keep_alive = parser->get().keep_alive();
  outcome.status = static_cast<int>(parser->get().result_int());
  outcome.response_started = true;
  ctx.status_written = static_cast<unsigned>(outcome.status);
  auto relayed = co_await connection->visit([&](auto& stream) {
    return relay_response(stream, *connection, call, *parser, ctx, body.keep_alive, body.version,
                          outcome);
  });
  outcome.bytes_out = relayed.bytes;
  if (relayed.failure != RelayFailure::none) {
    // Part of the response may have gone out: the client connection cannot be trusted.
    outcome.connection_broken = true;
    co_return;
  }
  if (upstream_keep_alive && parser->is_done()) client.release(std::move(connection));
}

}  // namespace

net::awaitable<ForwardOutcome> forward(http::HttpClient& client, const UpstreamCall& call,
                                       ClientRequest& body, http::StreamContext& ctx,
                                       const RetryPlan& plan) {
  ForwardOutcome outcome;
  outcome.not_replayable = body.streaming;
  const bool replayable = !body.streaming;
  UpstreamCall current = call;  // rebuilt after a 401 refresh
  int counted = 0;              // attempts the retry policy counts
  int stale_replacements = 0;
  bool reauthorized = false;
  AttemptIo io;
  for (;;) {
    const auto paused = co_await hold_for_quota(plan);
    ++outcome.attempts;
    observe::upstream_attempts().add();
    io = co_await attempt_once(client, current, body, ctx);
    outcome.bytes_in = io.bytes_in;
    if (io.body_read_failed) {
      // The client stopped sending its body: nothing sensible can go upstream or back.
      outcome.connection_broken = true;
      outcome.error = Error{Errc::invalid_argument, "the request body could not be read"};
      co_return outcome;
    }
    const AttemptResult result = describe(io, plan);
    AttemptRecord record = start_record(io, result, paused);
    // The server closed this pooled connection while it was idle. A request that never left,
    // or one that is safe to repeat, goes again on a fresh connection; a POST that may have
    // reached the server is not sent twice.
    const bool may_repeat = !io.request_sent || is_idempotent(current.method_string);
    if (io.stale && may_repeat && replayable && stale_replacements < kMaxStaleReplacements) {
      ++stale_replacements;
      record.reason = "stale_connection";
      outcome.attempt_log.push_back(std::move(record));
      count_retry("stale_connection", std::chrono::milliseconds(0));
      continue;
    }
    note_quota(plan, result);
    if (result.status == 401 && plan.reauthorize && replayable && !reauthorized) {
      reauthorized = true;
      auto rebuilt = co_await plan.reauthorize();
      io.connection.reset();  // the 401's body is not needed: close instead of reading it
      record.reason = "unauthorized";
      outcome.attempt_log.push_back(std::move(record));
      if (!rebuilt) {
        outcome.error = rebuilt.error();
        co_return outcome;
      }
      count_retry("unauthorized", std::chrono::milliseconds(0));
      current = std::move(*rebuilt);
      continue;
    }
    ++counted;
    const auto decision = decide_retry(plan.policy, current.method_string, result, counted,
                                       replayable, time_left(plan), plan.random);
    if (decision.verdict == Verdict::retry) {
      io.connection.reset();  // discard the answer unread; the next attempt gets a new one
      record.reason = std::string(reason_name(decision.reason));
      record.wait = decision.wait;
      outcome.attempt_log.push_back(std::move(record));
      count_retry(reason_name(decision.reason), decision.wait);
      co_await sleep_for(decision.wait);
      continue;
    }
    record.reason = std::string(held_name(decision.held));
    outcome.attempt_log.push_back(std::move(record));
    if (decision.verdict == Verdict::exhausted) {
      outcome.retries_exhausted = true;
      observe::upstream_retries_exhausted().add();
    }
    break;
  }

  if (io.error) {
    outcome.error = std::move(io.error);
    if (body.streaming) outcome.connection_broken = true;
    co_return outcome;
  }
  co_await relay_answer(client, io, current, body, ctx, outcome);
  co_return outcome;
}

}  // namespace ferry::proxy
