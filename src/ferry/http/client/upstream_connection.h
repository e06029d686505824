#pragma once

// Heavy (Beast + OpenSSL): include only where bytes are moved — the client and the proxy's
// forwarder.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>

#include "ferry/http/client/origin.h"

namespace ferry::http {

// One open connection to an upstream origin, plain TCP or TLS, with its read buffer (bytes
// read past the end of one response belong to the next). Owned by one request at a time;
// HttpClient::release() puts it back in the pool. Not thread-safe: use it from one coroutine.
class UpstreamConnection {
 public:
  using PlainStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  UpstreamConnection(Origin origin, std::unique_ptr<PlainStream> plain);
  UpstreamConnection(Origin origin, std::unique_ptr<TlsStream> tls);

  const Origin& origin() const { return origin_; }
  // True when this connection served an earlier request (it came from the pool). A reused
  // connection may have been closed by the server while idle; callers retry such a failure
  // once on a fresh connection when nothing of the response was read.
  bool reused() const { return reused_; }
  void mark_reused() { reused_ = true; }

  // The TCP layer, for timeouts: tcp().expires_after(...) bounds the next operations.
  boost::beast::tcp_stream& tcp();
  boost::beast::flat_buffer& buffer() { return buffer_; }

  // Calls f(stream) with the concrete stream type, so one generic piece of code serves both
  // plain and TLS connections. f's result type must not depend on the stream type.
  template <class F>
  decltype(auto) visit(F&& f) {
    if (tls_) return f(*tls_);
    return f(*plain_);
  }

  std::chrono::steady_clock::time_point idle_since{};

 private:
  Origin origin_;
  std::unique_ptr<PlainStream> plain_;
  std::unique_ptr<TlsStream> tls_;
  boost::beast::flat_buffer buffer_;
  bool reused_ = false;
};

}  // namespace ferry::http
