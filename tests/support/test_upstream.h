#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferry::testing {

// An imposter upstream: an HTTP/1.1 server on 127.0.0.1 (port 0), plain or TLS, running on its
// own threads inside the test process. Connections are kept alive between requests. Every
// request is read whole (its body streamed and hashed, never held in memory beyond 64 KiB) and
// recorded before it is answered, so a client that has its reply can inspect requests().
//
// Routes, chosen by path prefix for any method (the longest matching prefix wins):
//   /echo...       200 application/json {"method","target","headers","body_size","body_sha256",
//                  "body"}; headers by lower-case name, repeated names joined with ", ";
//                  body is a string when under 64 KiB and valid UTF-8, else null.
//   /bytes/N       200 application/octet-stream, N bytes where byte i = i % 251, streamed;
//                  `?chunked=1` frames it with chunked encoding instead of Content-Length.
//   /close-delimited/N
//                  200 application/octet-stream, Connection: close, neither Content-Length nor
//                  Transfer-Encoding; then N pattern bytes (as /bytes/N) and a graceful close,
//                  which ends the body (RFC 9112 §6.3 item 8).
//   /status/N      status N (200..599), {"status":N}, X-Upstream: yes, Connection: X-Hop-Secret,
//                  X-Hop-Secret: should-not-pass, Keep-Alive: timeout=5, Set-Cookie: a=1 twice.
//   /slow/MS       waits MS milliseconds (other connections go on), then 200 {"slept":MS}.
//   /close         reads the request, then closes the connection without answering.
//   /head-check    HEAD: 200 with Content-Length: 1234 and no body; otherwise 1234 pattern bytes.
//   /interim       first the interim heads "100 Continue" and "103 Early Hints" (with Link:
//                  </style.css>; rel=preload), then 200 {"interim":true}; HTTP/1.0 gets no 1xx.
//   /extra-bytes   200 {"extra":false}, followed in the same write by a whole second response
//                  nobody asked for: 200 application/json {"smuggled":true}. The connection
//                  stays open and the next request gets its own answer after those bytes.
//   /close-when-idle
//                  200 {"close_when_idle":true}, kept alive; if the next request on the same
//                  connection does not start within 100 ms, the server closes it (as servers
//                  do with idle keep-alive connections).
//   /drop-next     200 {"drop_next":true}; the next request on the same connection is read and
//                  recorded, then the connection closes without an answer (no TLS close_notify).
//   anything else  404 {"error":"not found"}.
// A HEAD request to any route gets the headers of the GET reply and no body.
//
// Thread safety: every public member may be called from any thread while the server runs.
class TestUpstream {
 public:
  struct Options {
    bool tls = false;       // Default: false (plain HTTP).
    std::string cert_file;  // PEM certificate chain; required when tls.
    std::string key_file;   // PEM private key; required when tls.
  };

  // One recorded request.
  struct Seen {
    std::string method;
    std::string target;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::uint64_t body_size = 0;
    std::string body_sha256_hex;  // lower-case hex SHA-256 of the whole body
    std::string body;             // the first 64 KiB of the body
  };

  // Binds 127.0.0.1:0 and starts serving. Throws std::runtime_error when it cannot listen or
  // cannot load the certificate or key.
  static std::unique_ptr<TestUpstream> start(Options options);
  // A plain HTTP upstream.
  static std::unique_ptr<TestUpstream> start();
  // Stops serving and drops every open connection.
  ~TestUpstream();
  TestUpstream(const TestUpstream&) = delete;
  TestUpstream& operator=(const TestUpstream&) = delete;

  unsigned short port() const;
  // "http://127.0.0.1:PORT/", or "https://localhost:PORT/" with TLS.
  std::string base_url() const;

  std::vector<Seen> requests() const;
  // The most recent request. Throws std::runtime_error when none has been seen.
  Seen last() const;
  std::size_t count() const;
  // Forgets the recorded requests (not connections_accepted()).
  void clear();
  // TCP connections accepted since start.
  std::size_t connections_accepted() const;
  // Accepted TCP connections not yet ended. The server notices a peer's close only when it next
  // reads, so after a client lets go this drops a moment later: poll it with a deadline.
  std::size_t open_connections() const;

  // Lower-case hex SHA-256 of the first `n` bytes of the /bytes pattern.
  static std::string pattern_sha256(std::uint64_t n);

 private:
  struct Impl;
  explicit TestUpstream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::testing
