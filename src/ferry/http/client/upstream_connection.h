#pragma once

// Heavy (Beast + OpenSSL): include only where bytes are moved, inside http/client.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ferry/http/client/origin.h"

namespace ferry::http {

// One open connection to an upstream origin, plain TCP or TLS, with the buffers that live
// as long as it does: the read buffer (bytes read past a response head belong to its body)
// and the relay buffer response bodies are read into, reused by every request it serves.
// Owned by one request at a time, or idle in its I/O thread's pool. Not thread-safe: used
// on the io_context it was opened on.
class UpstreamConnection {
 public:
  using PlainStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // Size of the relay buffer for a large body: it moves through Ferry this many bytes at a
  // time. Small answers get kSmallRelayBufferBytes: freeing 64 KiB blocks makes the C
  // library consolidate its free lists, which a burst of short-lived connections pays for.
  static constexpr std::size_t kRelayBufferBytes = 64 * 1024;
  static constexpr std::size_t kSmallRelayBufferBytes = 16 * 1024;

  UpstreamConnection(Origin origin, std::unique_ptr<PlainStream> plain);
  UpstreamConnection(Origin origin, std::unique_ptr<TlsStream> tls);

  const Origin& origin() const { return origin_; }
  // The TCP layer, for timeouts and the idle watch.
  boost::beast::tcp_stream& tcp();
  boost::beast::flat_buffer& read_buffer() { return read_buffer_; }
  // The relay buffer, of at least `size` bytes (allocated, or grown, on first need).
  std::span<char> relay_buffer(std::size_t size);

  // True when nothing is waiting to be read: no byte in the read buffer, and for TLS no
  // decrypted byte held inside OpenSSL. A connection with unread bytes is never reused:
  // they would be read as the answer to the next request.
  bool drained();

  // Calls f(stream) with the concrete stream type, so one generic piece of code serves both
  // plain and TLS connections. f's result type must not depend on the stream type.
  template <class F>
  decltype(auto) visit(F&& f) {
    if (tls_) return f(*tls_);
    return f(*plain_);
  }

  // Pool bookkeeping: when it went idle.
  std::chrono::steady_clock::time_point idle_since{};

 private:
  Origin origin_;
  std::unique_ptr<PlainStream> plain_;
  std::unique_ptr<TlsStream> tls_;
  boost::beast::flat_buffer read_buffer_;
  std::unique_ptr<char[]> relay_;
  std::size_t relay_size_ = 0;
};

}  // namespace ferry::http
