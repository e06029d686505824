#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/http/client/outbound_request.h"
#include "ferry/http/message.h"

namespace ferry::http {

class Exchange;

// A small request whose answer is wanted whole: token endpoints, provider metadata calls.
struct FetchRequest {
  Verb method = Verb::get;
  std::string url;  // absolute http(s) URL
  std::vector<OutboundHeader> headers;
  std::string body;
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);
  std::size_t max_response_bytes = 4 * 1024 * 1024;
};

struct FetchResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// Sends `request` through `exchange` (the upstream engine: pooled connections, TLS
// verification, header checks, the rule that a POST is never sent twice) and reads the whole
// answer. Any HTTP status is a successful fetch. Suspends.
// Errc::invalid_argument for a URL that is not http(s) or a header that cannot be sent;
// Errc::upstream_unreachable when the host cannot be reached or the answer is malformed or
// larger than max_response_bytes; Errc::upstream_timeout when `timeout` passes. Messages
// name the host, never a secret.
boost::asio::awaitable<Result<FetchResponse>> fetch(Exchange& exchange, FetchRequest request);

// The parts of an absolute http(s) URL an OutboundRequest needs: origin, origin-form
// target and Host value. Errc::invalid_argument when it is not an http(s) URL with a host.
Result<OutboundRequest> outbound_request_for(std::string_view url);

}  // namespace ferry::http
