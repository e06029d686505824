#pragma once

// Moving a body from one stream to another in fixed-size pieces, so a 1 GiB download costs
// Ferry 64 KiB of memory. Templates over the stream types: plain TCP and TLS share the code.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>

namespace ferry::proxy {

namespace bhttp = boost::beast::http;

// Which side failed when a relay stops early.
enum class RelayFailure { none, read, write };

struct RelayResult {
  RelayFailure failure = RelayFailure::none;
  boost::system::error_code error;
  std::uint64_t bytes = 0;  // body bytes written to the output
};

// Writes the message held by `parser` (whose header was already read from `in`) to `out`:
// the header through `serializer` unless `header_written`, then the body piece by piece as
// it arrives. `read_timeout` bounds each wait for input bytes, `write_timeout` each write.
// Suspends; never throws for I/O errors.
template <bool IsRequest, class InStream, class OutStream>
boost::asio::awaitable<RelayResult> relay_body(
    InStream& in, boost::beast::flat_buffer& in_buffer,
    bhttp::parser<IsRequest, bhttp::buffer_body>& parser, OutStream& out,
    bhttp::serializer<IsRequest, bhttp::buffer_body>& serializer,
    std::chrono::steady_clock::duration read_timeout,
    std::chrono::steady_clock::duration write_timeout) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  RelayResult result;
  std::array<char, 64 * 1024> piece;
  boost::system::error_code ec;
  auto& body = parser.get().body();
  do {
    if (!parser.is_done()) {
      body.data = piece.data();
      body.size = piece.size();
      beast::get_lowest_layer(in).expires_after(read_timeout);
      co_await bhttp::async_read(in, in_buffer, parser,
                                 net::redirect_error(net::use_awaitable, ec));
      // need_buffer: our piece is full, which is the normal way a read ends here.
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        result.failure = RelayFailure::read;
        result.error = ec;
        co_return result;
      }
      body.size = piece.size() - body.size;
      body.data = piece.data();
      body.more = !parser.is_done();
    } else {
      // Nothing (more) to read, e.g. a Content-Length: 0 answer: tell the serializer, or
      // it waits for a buffer and never writes even the header.
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    const std::size_t chunk = body.size;
    beast::get_lowest_layer(out).expires_after(write_timeout);
    co_await bhttp::async_write(out, serializer, net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      result.failure = RelayFailure::write;
      result.error = ec;
      co_return result;
    }
    result.bytes += chunk;
  } while (!parser.is_done() && !serializer.is_done());
  co_return result;
}

}  // namespace ferry::proxy
