#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "ferry/core/result.h"
#include "ferry/http/client/origin.h"

namespace ferry::http {

// Asks the outbound proxy `stream` is connected to for a tunnel to `target`
// (`CONNECT host:port HTTP/1.1`, RFC 9110 §9.3.6). On success the stream carries bytes to
// `target` as if connected directly. Errc::upstream_unreachable when the proxy refuses
// (naming its status), Errc::upstream_timeout when `timeout` passes. Suspends.
boost::asio::awaitable<Status> open_proxy_tunnel(boost::beast::tcp_stream& stream,
                                                 const Origin& target,
                                                 std::chrono::steady_clock::duration timeout);

}  // namespace ferry::http
