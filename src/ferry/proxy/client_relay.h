#pragma once

// The /proxy route's side of the client connection: the caller's streamed request body as a
// BodySource, and the upstream response relayed back. Heavy (Beast): include only in the
// proxy route.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ferry/http/client/body_source.h"
#include "ferry/http/client/exchange.h"
#include "ferry/http/server/stream_context.h"

namespace ferry::proxy {

// The caller's request body, read from the client connection as it arrives: not
// replayable, so a request with it is sent once. Takes over the context's parser; the
// context's header accessors must not be used afterwards.
class ClientBody final : public http::BodySource {
 public:
  explicit ClientBody(http::StreamContext& ctx);
  ~ClientBody() override;

  std::optional<std::uint64_t> length() const override { return length_; }
  bool replayable() const override { return false; }
  void rewind() override {}
  boost::asio::awaitable<Result<std::string_view>> next() override;

  std::uint64_t bytes_read() const { return bytes_read_; }
  // True once the whole body was read (the connection may then serve another request).
  bool complete() const;

 private:
  struct Reader;
  http::StreamContext& ctx_;
  std::unique_ptr<Reader> reader_;
  std::optional<std::uint64_t> length_;
  std::uint64_t bytes_read_ = 0;
};

// How the caller's connection wants its answer.
struct ClientSide {
  bool keep_alive = true;
  unsigned version = 11;
  bool head_request = false;  // a HEAD: the answer has no body whatever its head says
};

// Flags Ferry adds to a relayed answer (forwarder.h: kRetriesExhaustedHeader, kRetryHeader).
struct RelayMarks {
  bool retries_exhausted = false;
  bool not_replayable = false;
};

struct RelayResult {
  // Set when nothing was written to the client: the upstream failed before its first body
  // byte, so the caller can still answer with an error.
  std::optional<Error> error_before_start;
  bool client_broken = false;   // some of the answer went out, then a side failed
  bool must_close = false;      // the client connection cannot serve another request
  std::uint64_t bytes = 0;      // body bytes written to the client
  int status = 0;
};

// Relays `upstream` to the client of `ctx`: its status and headers, minus hop-by-hop ones
// (filter_response_headers), then its body piece by piece through the upstream
// connection's relay buffer. The framing is the relay's own: the upstream length when
// known, else chunked for an HTTP/1.1 client, else the end of the connection (an HTTP/1.0
// client, or a close-delimited body it cannot frame otherwise). Suspends.
boost::asio::awaitable<RelayResult> relay_to_client(http::UpstreamResponse& upstream,
                                                    http::StreamContext& ctx,
                                                    const ClientSide& client,
                                                    const RelayMarks& marks);

}  // namespace ferry::proxy
