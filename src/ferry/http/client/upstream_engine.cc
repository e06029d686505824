#include "ferry/http/client/upstream_engine.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <atomic>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "ferry/http/client/header_check.h"
#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;
using ResponseParser = bhttp::response_parser<bhttp::buffer_body>;

namespace {

// Upstream response heads larger than this are refused (Beast's default is 8 KiB, less
// than some providers' cookie-laden heads).
constexpr std::uint32_t kMaxResponseHeadBytes = 64 * 1024;
// Bodies larger than this (or of unknown length) are read through a read buffer of
// kReadBufferBytes.
constexpr std::uint64_t kLargeBodyBytes = 16 * 1024;
constexpr std::size_t kReadBufferBytes = 64 * 1024;
// Interim heads accepted before the final one; an upstream sending more is misbehaving.
constexpr int kMaxInterimHeads = 16;

// "No timeout" still needs a bound for Beast's timer; a day is beyond any sane request.
Clock::duration effective(Clock::duration timeout) {
  return timeout.count() > 0 ? timeout : std::chrono::hours(24);
}

// A failure a closed keep-alive connection produces before any answer byte.
bool is_stale_connection_error(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

std::string host_of(const Origin& origin) { return origin.host; }

Error transport_error(const boost::system::error_code& ec, std::string_view step,
                      const Origin& origin) {
  if (ec == beast::error::timeout) {
    return Error{Errc::upstream_timeout, "upstream " + host_of(origin) +
                                             " did not answer in time (" + std::string(step) +
                                             ")"};
  }
  return Error{Errc::upstream_unreachable, "upstream " + host_of(origin) + " failed while " +
                                               std::string(step) + ": " + ec.message()};
}

// What writing the request and reading the head left behind.
struct HeadResult {
  std::unique_ptr<ResponseParser> parser;  // holds the final head when !error
  boost::system::error_code error;
  std::string_view step;
  bool request_sent = false;
  bool body_unreadable = false;
  Error body_error{Errc::invalid_argument, ""};
};

// Methods whose empty body is announced with Content-Length: 0 (a POST without a body
// still says so; a GET does not).
bool announces_empty_body(Verb method) {
  switch (method) {
    case Verb::get:
    case Verb::head:
    case Verb::delete_:
    case Verb::options:
    case Verb::trace:
    case Verb::connect:
      return false;
    default:
      return true;
  }
}

// Writes the head and the body, piece by piece as the source yields them; the head goes
// out together with the first piece. Then reads response heads until a final one.
template <class Stream>
net::awaitable<HeadResult> write_and_read_head(Stream& stream, UpstreamConnection& connection,
                                               const OutboundRequest& request,
                                               BodySource& body) {
  HeadResult result;
  bhttp::request<bhttp::buffer_body> message{request.method, request.target, 11};
  if (request.method == Verb::unknown) message.method_string(request.method_name);
  message.set(bhttp::field::host, request.host_header);
  for (const auto& header : request.headers) message.insert(header.name, header.value);
  const auto length = body.length();
  if (!length) {
    message.chunked(true);
  } else if (*length > 0 || announces_empty_body(request.method)) {
    message.content_length(*length);
  }
  bhttp::request_serializer<bhttp::buffer_body> serializer{message};
  // One deadline for the whole attempt: writing, then waiting for the head.
  const auto timeout = effective(request.timeout);
  std::uint64_t written_body = 0;
  result.step = "sending the request";
  for (;;) {
    auto piece = co_await body.next();
    if (!piece) {
      result.body_unreadable = true;
      result.body_error = piece.error();
      co_return result;
    }
    auto& out = message.body();
    written_body += piece->size();
    out.data = piece->empty() ? nullptr : const_cast<char*>(piece->data());
    out.size = piece->size();
    // The last piece of a body of known length ends it: one write for head and body.
    out.more = !piece->empty() && !(length && written_body >= *length);
    // Per write: a streamed body arrives at the client's pace, each piece gets the timeout.
    connection.tcp().expires_after(timeout);
    const std::size_t sent = co_await bhttp::async_write(
        stream, serializer, net::redirect_error(net::use_awaitable, result.error));
    if (sent > 0) result.request_sent = true;
    if (result.error == bhttp::error::need_buffer) result.error = {};
    if (result.error) co_return result;
    if (!out.more || serializer.is_done()) break;
  }
  result.request_sent = true;
  result.step = "reading the response";
  // One deadline for the final head, however many interim heads precede it.
  connection.tcp().expires_after(timeout);
  for (int interim = 0;; ++interim) {
    result.parser = std::make_unique<ResponseParser>();
    result.parser->header_limit(kMaxResponseHeadBytes);
    result.parser->body_limit(boost::none);
    // A HEAD answer announces a body it does not send.
    if (request.method == Verb::head) result.parser->skip(true);
    co_await bhttp::async_read_header(stream, connection.read_buffer(), *result.parser,
                                      net::redirect_error(net::use_awaitable, result.error));
    if (result.error) co_return result;
    const unsigned status = result.parser->get().result_int();
    // RFC 9110 §15.2: interim answers precede the final one and have no body. 101 ends
    // HTTP on this connection, so it is final.
    if (status >= 200 || status == 101) break;
    if (interim + 1 >= kMaxInterimHeads) {
      result.error = bhttp::error::bad_status;
      co_return result;
    }
  }
  co_return result;
}

}  // namespace

struct UpstreamEngine::Impl {
  std::unique_ptr<Connector> connector;
  IoWorkers workers;
  std::vector<std::unique_ptr<ConnectionPool>> pools;  // one per worker, same order
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> stale_resends{0};

  ConnectionPool* pool_for(const net::any_io_executor& executor) {
    auto index = workers.index_of(executor);
    return index ? pools[*index].get() : nullptr;
  }
};

namespace {

// The engine's UpstreamResponse: the connection, the parser holding the head, and where the
// connection goes back when the exchange ended cleanly.
class PooledResponse final : public UpstreamResponse {
 public:
  PooledResponse(std::unique_ptr<UpstreamConnection> connection,
                 std::unique_ptr<ResponseParser> parser, ConnectionPool* pool,
                 Clock::duration timeout)
      : connection_(std::move(connection)),
        parser_(std::move(parser)),
        pool_(pool),
        timeout_(effective(timeout)),
        close_delimited_(!parser_->is_done() && !parser_->chunked() &&
                         !parser_->content_length()) {}

  ~PooledResponse() override {
    // Pooled only when the next request on it cannot be disturbed by this one: every byte
    // of this answer read, nothing beyond it waiting, and both sides keep it open.
    const bool reusable = pool_ && complete() && !close_delimited_ &&
                          parser_->get().keep_alive() && status() != 101 &&
                          connection_->drained();
    if (reusable) pool_->put(std::move(connection_));
  }

  const ResponseHead& head() const override { return parser_->get().base(); }
  std::optional<std::uint64_t> content_length() const override {
    auto length = parser_->content_length();
    return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
  }
  bool close_delimited() const override { return close_delimited_; }
  bool complete() const override { return parser_->is_done() && !failed_; }

  net::awaitable<Result<std::string_view>> read(std::size_t limit) override {
    if (failed_) co_return Error{Errc::upstream_unreachable, "the upstream response failed"};
    if (parser_->is_done()) co_return std::string_view();
    // Beast reads at most the read buffer's spare capacity: a large body read through a
    // small one costs a syscall per few KiB. Small answers keep small buffers.
    const auto length = parser_->content_length();
    const bool large = !length || *length > kLargeBodyBytes;
    auto buffer = connection_->relay_buffer(large ? UpstreamConnection::kRelayBufferBytes
                                                  : UpstreamConnection::kSmallRelayBufferBytes);
    const std::size_t capacity = std::min(limit == 0 ? buffer.size() : limit, buffer.size());
    auto& incoming = connection_->read_buffer();
    if (large && incoming.capacity() < kReadBufferBytes) incoming.reserve(kReadBufferBytes);
    auto& body = parser_->get().body();
    connection_->tcp().expires_after(timeout_);
    for (;;) {
      body.data = buffer.data();
      body.size = capacity;
      boost::system::error_code ec;
      // read_some: whatever is there now goes on at once (a stream of events is relayed as
      // it comes, not when 64 KiB have gathered).
      co_await connection_->visit([&](auto& stream) {
        return bhttp::async_read_some(stream, connection_->read_buffer(), *parser_,
                                      net::redirect_error(net::use_awaitable, ec));
      });
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        failed_ = true;
        co_return transport_error(ec, "reading the response body", connection_->origin());
      }
      const std::size_t got = capacity - body.size;
      if (got > 0 || parser_->is_done()) co_return std::string_view(buffer.data(), got);
    }
  }

 private:
  std::unique_ptr<UpstreamConnection> connection_;
  std::unique_ptr<ResponseParser> parser_;
  ConnectionPool* pool_;
  const Clock::duration timeout_;
  const bool close_delimited_;
  bool failed_ = false;
};

SendFailure failure(Error error, SendFailureKind kind, bool sent) {
  return SendFailure{std::move(error), kind, sent};
}

}  // namespace

Result<std::shared_ptr<UpstreamEngine>> UpstreamEngine::create(EngineOptions options,
                                                               IoWorkers workers) {
  auto connector = Connector::create(std::move(options.connector));
  if (!connector) return connector.error();
  auto impl = std::make_unique<Impl>();
  impl->connector = std::move(*connector);
  impl->workers = std::move(workers);
  for (std::size_t i = 0; i < impl->workers.size(); ++i) {
    impl->pools.push_back(std::make_unique<ConnectionPool>(options.pool));
  }
  return std::shared_ptr<UpstreamEngine>(new UpstreamEngine(std::move(impl)));
}

UpstreamEngine::UpstreamEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamEngine::~UpstreamEngine() = default;

net::awaitable<ExchangeOutcome> UpstreamEngine::send(const OutboundRequest& request,
                                                     BodySource& body) {
  ExchangeOutcome outcome;
  if (auto checked = check_request_line(request); !checked) {
    outcome.failure = failure(checked.error(), SendFailureKind::refused, false);
    co_return outcome;
  }
  if (auto checked = check_outbound_headers(request); !checked) {
    outcome.failure = failure(checked.error(), SendFailureKind::refused, false);
    co_return outcome;
  }
  const auto executor = co_await net::this_coro::executor;
  ConnectionPool* pool = impl_->pool_for(executor);
  std::unique_ptr<UpstreamConnection> connection = pool ? pool->take(request.origin) : nullptr;
  bool reused = connection != nullptr;
  for (;;) {
    if (!connection) {
      auto made = co_await impl_->connector->connect(executor, request.origin,
                                                     effective(request.timeout));
      if (!made) {
        // An address the egress policy refuses stays refused: no attempt more may try it.
        const auto kind = made.error().code == Errc::egress_forbidden ? SendFailureKind::refused
                          : made.error().code == Errc::upstream_timeout
                              ? SendFailureKind::connect_timeout
                              : SendFailureKind::connect_failed;
        outcome.failure = failure(made.error(), kind, false);
        co_return outcome;
      }
      impl_->connects.fetch_add(1, std::memory_order_relaxed);
      connection = std::move(*made);
    }
    auto head = co_await connection->visit([&](auto& stream) {
      return write_and_read_head(stream, *connection, request, body);
    });
    if (head.body_unreadable) {
      outcome.failure =
          failure(head.body_error, SendFailureKind::body_unreadable, head.request_sent);
      co_return outcome;
    }
    if (!head.error) {
      outcome.response = std::make_unique<PooledResponse>(
          std::move(connection), std::move(head.parser), pool, request.timeout);
      co_return outcome;
    }
    const bool stale = reused && is_stale_connection_error(head.error);
    if (stale && body.replayable() &&
        (!head.request_sent || is_idempotent(request.method_string()))) {
      // The server closed this pooled connection while it was idle, and sending again
      // cannot make it act twice: once more, on a new connection.
      impl_->stale_resends.fetch_add(1, std::memory_order_relaxed);
      outcome.stale_first_try =
          failure(transport_error(head.error, head.step, request.origin),
                  SendFailureKind::connection_lost, head.request_sent);
      body.rewind();
      connection.reset();
      reused = false;
      continue;
    }
    Error error = transport_error(head.error, head.step, request.origin);
    if (stale && head.request_sent) {
      error.message = "upstream " + host_of(request.origin) +
                      " closed a reused connection before answering; the " +
                      std::string(request.method_string()) +
                      " request may have reached it, so it was not sent again";
    }
    const auto kind = head.error == beast::error::timeout ? SendFailureKind::timeout
                                                           : SendFailureKind::connection_lost;
    outcome.failure = failure(std::move(error), kind, head.request_sent);
    co_return outcome;
  }
}

void UpstreamEngine::close_idle() {
  for (auto& pool : impl_->pools) pool->clear();
}

UpstreamEngine::Stats UpstreamEngine::stats() const {
  Stats stats;
  stats.connects = impl_->connects.load(std::memory_order_relaxed);
  stats.stale_resends = impl_->stale_resends.load(std::memory_order_relaxed);
  for (const auto& pool : impl_->pools) {
    const auto pool_stats = pool->stats();
    stats.reuses += pool_stats.reuses;
    stats.evictions += pool_stats.evictions;
  }
  return stats;
}

}  // namespace ferry::http
