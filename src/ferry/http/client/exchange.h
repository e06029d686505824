#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"
#include "ferry/http/client/body_source.h"
#include "ferry/http/client/outbound_request.h"

namespace ferry::http {

// The head of an upstream response: status, reason and fields.
using ResponseHead = bhttp::response_header<>;

// An upstream response whose head has been read and whose body has not (yet). Pieces of
// the body are read into a buffer the upstream connection owns, so relaying a 1 GiB
// download costs one buffer. Destroying the response decides the connection's fate: it is
// pooled for the next request only when the whole body was read, both sides allow
// keep-alive, the body was not delimited by the connection's close, and no byte beyond the
// response is waiting on it; otherwise it is closed. Used by one coroutine at a time.
class UpstreamResponse {
 public:
  virtual ~UpstreamResponse() = default;

  // The final head: interim 1xx heads (100 Continue, 103 Early Hints) were skipped; a
  // 101 Switching Protocols is final (and its connection is never pooled).
  virtual const ResponseHead& head() const = 0;
  int status() const { return static_cast<int>(head().result_int()); }

  // The body's length when the head announced one (Content-Length).
  virtual std::optional<std::uint64_t> content_length() const = 0;
  // True when the body ends only when the upstream closes the connection (neither
  // Content-Length nor chunked, RFC 9112 §6.3 item 8).
  virtual bool close_delimited() const = 0;
  // True once the whole body has been read (at once for a response without a body).
  virtual bool complete() const = 0;

  // The next piece of the body, at most `limit` bytes; empty once the body is complete.
  // The piece stays valid until the next call. Suspends. Errc::upstream_timeout when no
  // byte came within the request's timeout; Errc::upstream_unreachable when the
  // connection failed or the body is malformed. Messages name the host, never a secret.
  virtual boost::asio::awaitable<Result<std::string_view>> read(std::size_t limit) = 0;

  // The rest of the body, whole. Errc::upstream_unreachable when it is longer than
  // `max_bytes`; read()'s errors otherwise.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t max_bytes);
};

// Why an exchange produced no response head.
enum class SendFailureKind {
  refused,          // the request broke a rule checked before sending (a header, the egress
                    // policy): nothing was sent
  body_unreadable,  // the request body could not be read from its source
  connect_failed,   // no connection: DNS, refused, reset, TLS handshake or verification
  connect_timeout,  // no connection within the timeout
  timeout,          // connected, then no response head within the timeout
  connection_lost,  // connected, then closed or reset before a response head arrived
};

struct SendFailure {
  Error error;  // names the upstream host or the bad header, never a secret
  SendFailureKind kind = SendFailureKind::refused;
  bool request_sent = false;  // some byte of the request reached the socket
};

// What Exchange::send produced: a response, or why there is none.
struct ExchangeOutcome {
  std::unique_ptr<UpstreamResponse> response;
  std::optional<SendFailure> failure;  // set exactly when response is null
  // Set when a reused connection failed first and the request went once more on a new
  // one (see Exchange): what that first try ran into, for the caller's record.
  std::optional<SendFailure> stale_first_try;

  explicit operator bool() const { return response != nullptr; }
};

// The upstream engine seen by its callers (the proxy's forwarder, actions, the OAuth token
// client): one request out, one response head back. The real one (UpstreamEngine) pools
// connections per I/O thread; tests use a fake. Implementations are thread-safe.
//
// One attempt per call, with one exception: a pooled connection that turns out to have been
// closed by the server while idle. The request then goes once more, on a new connection,
// when that cannot make the upstream act twice: the body is replayable and either nothing
// was sent or the method is idempotent. A POST (a token request included) is never sent
// twice; its failure says so. Retrying on the upstream's answer is the caller's business.
class Exchange {
 public:
  virtual ~Exchange() = default;

  // Checks the request line and every header (header_check.h; a failure sends nothing),
  // connects or reuses a connection to request.origin, sends the head and the body, and
  // reads the response head. Suspends.
  virtual boost::asio::awaitable<ExchangeOutcome> send(const OutboundRequest& request,
                                                       BodySource& body) = 0;
};

}  // namespace ferry::http
