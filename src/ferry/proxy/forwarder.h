#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "ferry/core/result.h"
#include "ferry/http/client/origin.h"
#include "ferry/http/message.h"
#include "ferry/proxy/forward_headers.h"

namespace ferry::http {
class HttpClient;
struct StreamContext;
}  // namespace ferry::http

namespace ferry::proxy {

// One upstream request, fully decided: where, what, with which headers.
struct UpstreamCall {
  http::Origin origin;
  http::Verb method = http::Verb::get;
  std::string method_string;  // as sent by the caller (also for unknown verbs)
  std::string target;         // request line: path and query
  std::string host_header;
  HeaderList headers;  // forwarded + the integration's, interpolated
  std::chrono::steady_clock::duration attempt_timeout{};  // zero = none
};

// The caller's side of the exchange: how its body reaches upstream, and what its request
// header said (read before the body, whose parser may move).
struct ClientRequest {
  bool streaming = false;  // true: relayed from the client as it arrives, sent once
  std::string buffered;    // when !streaming: the whole body (possibly empty)
  bool keep_alive = true;
  unsigned version = 11;
};

struct ForwardOutcome {
  int status = 0;                  // upstream status relayed to the client; 0 when none
  std::optional<Error> error;      // set when nothing was sent to the client (502/504/...)
  bool response_started = false;   // some of the response reached the client
  bool connection_broken = false;  // the client connection must be closed after this
  std::uint64_t bytes_in = 0;      // request body bytes sent upstream
  std::uint64_t bytes_out = 0;     // response body bytes sent to the client
  int attempts = 0;
};

// Sends `call` upstream and relays the answer to the client in `ctx` as it arrives: status
// and headers unchanged except hop-by-hop ones, body streamed in 64 KiB pieces. A pooled
// connection that turns out to be closed is replaced once, when the body is buffered.
// Suspends. Never throws for I/O errors: they come back in the outcome, with the upstream
// host named in the message and no secret.
boost::asio::awaitable<ForwardOutcome> forward(http::HttpClient& client, const UpstreamCall& call,
                                               ClientRequest& body, http::StreamContext& ctx);

}  // namespace ferry::proxy
