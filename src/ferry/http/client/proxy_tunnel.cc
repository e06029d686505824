#include "ferry/http/client/proxy_tunnel.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

net::awaitable<Status> open_proxy_tunnel(beast::tcp_stream& stream, const Origin& target,
                                         std::chrono::steady_clock::duration timeout) {
  // An IPv6 literal needs its brackets in an authority (RFC 9110 §4.2, RFC 3986 §3.2.2).
  const bool v6 = target.host.find(':') != std::string::npos;
  const std::string authority =
      (v6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  bhttp::request<bhttp::empty_body> request{bhttp::verb::connect, authority, 11};
  request.set(bhttp::field::host, authority);
  boost::system::error_code ec;
  stream.expires_after(timeout);
  co_await bhttp::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (!ec) {
    // A CONNECT answer has no body; whatever follows the header belongs to the tunnel, and
    // the server sends nothing before our TLS ClientHello, so a local buffer is safe.
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);
    beast::flat_buffer buffer;
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      net::redirect_error(net::use_awaitable, ec));
    if (!ec) {
      if (parser.get().result() != bhttp::status::ok) {
        co_return Error{Errc::upstream_unreachable,
                        "the outbound proxy refused a tunnel to " + authority + " (status " +
                            std::to_string(parser.get().result_int()) + ")"};
      }
      stream.expires_never();
      co_return ok();
    }
  }
  if (ec == beast::error::timeout) {
    co_return Error{Errc::upstream_timeout, "the outbound proxy did not open a tunnel to " +
                                                authority + " in time"};
  }
  co_return Error{Errc::upstream_unreachable,
                  "the outbound proxy failed to open a tunnel to " + authority + ": " + ec.message()};
}

}  // namespace ferry::http
