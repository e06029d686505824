#include "ferry/proxy/client_relay.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "ferry/proxy/forward_headers.h"
#include "ferry/proxy/forwarder.h"

namespace ferry::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kClientPieceBytes = 64 * 1024;

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

// Statuses whose answer never has a body (RFC 9110 §6.4.1).
bool never_has_body(unsigned status) {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace

struct ClientBody::Reader {
  bhttp::request_parser<bhttp::buffer_body> parser;
  std::unique_ptr<char[]> piece = std::make_unique<char[]>(kClientPieceBytes);

  explicit Reader(bhttp::request_parser<bhttp::empty_body>& header) : parser(std::move(header)) {
    parser.body_limit(boost::none);
  }
};

ClientBody::ClientBody(http::StreamContext& ctx)
    : ctx_(ctx), reader_(std::make_unique<Reader>(ctx.parser)) {
  // Beast reads at most the buffer's spare capacity: a streamed upload deserves large reads.
  if (ctx_.buffer.capacity() < kClientPieceBytes) ctx_.buffer.reserve(kClientPieceBytes);
  if (!reader_->parser.get().chunked()) {
    auto length = reader_->parser.content_length();
    length_ = length ? *length : 0;
  }
}

ClientBody::~ClientBody() = default;

bool ClientBody::complete() const { return reader_->parser.is_done(); }

net::awaitable<Result<std::string_view>> ClientBody::next() {
  auto& parser = reader_->parser;
  if (parser.is_done()) co_return std::string_view();
  auto& body = parser.get().body();
  for (;;) {
    body.data = reader_->piece.get();
    body.size = kClientPieceBytes;
    boost::system::error_code ec;
    ctx_.stream.expires_after(ctx_.options.io_timeout);
    co_await bhttp::async_read_some(ctx_.stream, ctx_.buffer, parser,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      co_return Error{Errc::invalid_argument,
                      "the request body could not be read: " + ec.message()};
    }
    const std::size_t got = kClientPieceBytes - body.size;
    bytes_read_ += got;
    if (got > 0 || parser.is_done()) co_return std::string_view(reader_->piece.get(), got);
  }
}

net::awaitable<RelayResult> relay_to_client(http::UpstreamResponse& upstream,
                                            http::StreamContext& ctx, const ClientSide& client,
                                            const RelayMarks& marks) {
  RelayResult result;
  const http::ResponseHead& head = upstream.head();
  result.status = static_cast<int>(head.result_int());
  bhttp::response<bhttp::buffer_body> out;
  out.version(client.version);
  // By number: a status Beast has no name for (418, 599) reads as "unknown" otherwise.
  out.result(head.result_int());
  out.reason(head.reason());
  HeaderViews fields;
  for (const auto& field : head) fields.emplace_back(view(field.name_string()), view(field.value()));
  for (const auto& [name, value] : filter_response_headers(fields)) out.insert(name, value);
  if (marks.retries_exhausted) out.set(kRetriesExhaustedHeader, "true");
  if (marks.not_replayable) out.set(kRetryHeader, "not-replayable");

  bool keep_alive = client.keep_alive;
  // 101 ends HTTP on the upstream connection; the client's cannot go on either.
  if (result.status == 101) keep_alive = false;
  const bool bodiless = client.head_request || never_has_body(head.result_int());
  const auto length = upstream.content_length();
  if (bodiless) {
    // HEAD and 304 announce the length of the body they do not carry; keep it as sent.
    if (length && result.status != 204 && result.status >= 200) {
      out.set(bhttp::field::content_length, std::to_string(*length));
    }
  } else if (length) {
    out.content_length(*length);
  } else if (client.version >= 11) {
    out.chunked(true);
  } else {
    keep_alive = false;  // an HTTP/1.0 client reads to the end of the connection
  }
  out.keep_alive(keep_alive);
  result.must_close = !keep_alive;

  bhttp::response_serializer<bhttp::buffer_body> serializer{out};
  boost::system::error_code ec;
  if (bodiless) {
    ctx.stream.expires_after(ctx.options.io_timeout);
    co_await bhttp::async_write_header(ctx.stream, serializer,
                                       net::redirect_error(net::use_awaitable, ec));
    if (ec) result.client_broken = result.must_close = true;
    co_return result;
  }
  auto& body = out.body();
  bool started = false;
  for (;;) {
    // The first piece is read before anything is written: head and first piece leave in
    // one write, and an upstream that fails before its body still gets a proper error.
    auto piece = co_await upstream.read(0);
    if (!piece) {
      if (!started) {
        result.error_before_start = piece.error();
      } else {
        result.client_broken = result.must_close = true;
      }
      co_return result;
    }
    body.data = piece->empty() ? nullptr : const_cast<char*>(piece->data());
    body.size = piece->size();
    // The piece that completes the body ends the message in the same write.
    body.more = !piece->empty() && !upstream.complete();
    ctx.stream.expires_after(ctx.options.io_timeout);
    co_await bhttp::async_write(ctx.stream, serializer, net::redirect_error(net::use_awaitable, ec));
    started = true;
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      result.client_broken = result.must_close = true;
      co_return result;
    }
    result.bytes += piece->size();
    if (!body.more) break;
  }
  co_return result;
}

}  // namespace ferry::proxy
