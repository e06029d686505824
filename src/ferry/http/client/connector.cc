#include "ferry/http/client/connector.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <vector>
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/core/ip_network.h"
#include "ferry/http/client/proxy_tunnel.h"
#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Connector::Impl {
  ConnectorOptions options;
  // Shared by every connection: OpenSSL makes SSL objects from one SSL_CTX on any thread.
  ssl::context tls_context{ssl::context::tls_client};
};

namespace {

Error transport_error(const boost::system::error_code& ec, std::string_view step,
                      const Origin& origin) {
  if (ec == beast::error::timeout || ec == net::error::operation_aborted) {
    return Error{Errc::upstream_timeout, std::string(step) + " " + origin.host + ":" +
                                             std::to_string(origin.port) + " timed out"};
  }
  return Error{Errc::upstream_unreachable, std::string(step) + " " + origin.host + ":" +
                                               std::to_string(origin.port) +
                                               " failed: " + ec.message()};
}

// `host` as an address: canonical IPv4 or IPv6 text, or an odd IPv4 spelling ("2130706433",
// "0x7f.1") read as the C library would, so it is judged and dialled as what it means.
std::optional<net::ip::address> ip_literal(const std::string& host) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (!ec) return address;
  if (auto v4 = parse_ipv4_any_spelling(host)) {
    return net::ip::address_v4({v4->bytes[0], v4->bytes[1], v4->bytes[2], v4->bytes[3]});
  }
  return std::nullopt;
}

IpAddress to_ip_address(const net::ip::address& address) {
  if (address.is_v4()) return IpAddress::v4(address.to_v4().to_uint());
  const auto bytes = address.to_v6().to_bytes();
  std::array<std::uint8_t, 16> copy{};
  std::copy(bytes.begin(), bytes.end(), copy.begin());
  return IpAddress::v6(copy);
}

using Endpoints = std::vector<tcp::endpoint>;

// The endpoints of `origin` the egress policy admits, in resolver order; egress_forbidden
// naming the host and the first refusal when none is admitted.
Result<Endpoints> admitted(const Endpoints& resolved, const Origin& origin,
                           const EgressPolicy& policy) {
  Endpoints out;
  std::string first_reason;
  for (const auto& endpoint : resolved) {
    auto decision = policy.decide(origin.host, to_ip_address(endpoint.address()), origin.tls);
    if (decision.allowed) {
      out.push_back(endpoint);
    } else if (first_reason.empty()) {
      first_reason = std::move(decision.reason);
    }
  }
  if (out.empty()) {
    return Error{Errc::egress_forbidden,
                 "the egress policy forbids connecting to " + origin.host + ": " + first_reason +
                     " (egress.allow in ferry.yaml can admit it)"};
  }
  return out;
}

// Certificate checks for `host`: the chain against the trusted CAs (verify_peer) and the
// name (or IP) against the certificate's subjectAltName, by OpenSSL itself.
Status configure_verification(UpstreamConnection::TlsStream& tls, const std::string& host) {
  SSL* handle = tls.native_handle();
  if (auto literal = ip_literal(host)) {
    const std::string canonical = literal->to_string();
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), canonical.c_str()) != 1) {
      return Error{Errc::upstream_unreachable, "cannot verify TLS for " + host};
    }
  } else {
    // SNI: servers with several certificates pick the right one.
    if (SSL_set_tlsext_host_name(handle, host.c_str()) != 1 ||
        SSL_set1_host(handle, host.c_str()) != 1) {
      return Error{Errc::upstream_unreachable, "cannot set up TLS for " + host};
    }
  }
  tls.set_verify_mode(ssl::verify_peer);
  return ok();
}

// The addresses of `origin`: the literal itself, or what DNS answers within `timeout`.
net::awaitable<Result<Endpoints>> resolve(net::any_io_executor executor, const Origin& dial,
                                          Clock::duration timeout) {
  if (auto literal = ip_literal(dial.host)) co_return Endpoints{tcp::endpoint(*literal, dial.port)};
  tcp::resolver resolver(executor);
  net::steady_timer timer(executor, timeout);
  timer.async_wait([&resolver](boost::system::error_code wait_ec) {
    if (!wait_ec) resolver.cancel();
  });
  boost::system::error_code ec;
  auto endpoints = co_await resolver.async_resolve(dial.host, std::to_string(dial.port),
                                                   net::redirect_error(net::use_awaitable, ec));
  timer.cancel();
  if (ec) co_return transport_error(ec, "resolving", dial);
  co_return Endpoints(endpoints.begin(), endpoints.end());
}

}  // namespace

Result<std::unique_ptr<Connector>> Connector::create(ConnectorOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  boost::system::error_code ec;
  impl->tls_context.set_default_verify_paths(ec);
  if (ec) return Error{Errc::invalid_argument, "cannot load the system CA store: " + ec.message()};
  if (!impl->options.ca_file.empty()) {
    impl->tls_context.load_verify_file(impl->options.ca_file, ec);
    if (ec) {
      return Error{Errc::invalid_argument,
                   "cannot load ca_file " + impl->options.ca_file + ": " + ec.message()};
    }
  }
  impl->tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                ssl::context::no_tlsv1_1);
  return std::unique_ptr<Connector>(new Connector(std::move(impl)));
}

Connector::Connector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connector::~Connector() = default;

net::awaitable<Result<std::unique_ptr<UpstreamConnection>>> Connector::connect(
    net::any_io_executor executor, const Origin& origin, Clock::duration timeout) const {
  const auto deadline = Clock::now() + timeout;
  auto remaining = [deadline] {
    return std::max(Clock::duration(std::chrono::milliseconds(1)), deadline - Clock::now());
  };
  const auto via = impl_->options.proxy.proxy_for(origin);
  const Origin& dial = via ? *via : origin;

  // The target's addresses that passed the egress policy, resolved here even when a proxy
  // would resolve the name itself: the proxy is then asked for a checked address.
  std::optional<Endpoints> checked;
  if (origin.egress_checked) {
    auto resolved = co_await resolve(executor, origin, remaining());
    if (!resolved) co_return resolved.error();
    auto passed = admitted(*resolved, origin, impl_->options.egress);
    if (!passed) co_return passed.error();
    checked = std::move(*passed);
  }
  Endpoints endpoints;
  if (checked && !via) {
    endpoints = *checked;
  } else {
    auto resolved = co_await resolve(executor, dial, remaining());
    if (!resolved) co_return resolved.error();
    endpoints = std::move(*resolved);
  }

  boost::system::error_code ec;
  auto stream = std::make_unique<beast::tcp_stream>(executor);
  stream->expires_after(remaining());
  co_await stream->async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return transport_error(ec, "connecting to", dial);
  stream->socket().set_option(tcp::no_delay(true), ec);

  if (via) {
    Origin tunnel_target = origin;
    if (checked) tunnel_target.host = checked->front().address().to_string();
    auto tunnel = co_await open_proxy_tunnel(*stream, tunnel_target, remaining());
    if (!tunnel) co_return tunnel.error();
  }
  if (!origin.tls) {
    stream->expires_never();
    co_return std::make_unique<UpstreamConnection>(origin, std::move(stream));
  }
  auto tls = std::make_unique<UpstreamConnection::TlsStream>(std::move(*stream),
                                                             impl_->tls_context);
  if (auto verified = configure_verification(*tls, origin.host); !verified) {
    co_return verified.error();
  }
  beast::get_lowest_layer(*tls).expires_after(remaining());
  co_await tls->async_handshake(ssl::stream_base::client,
                                net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return transport_error(ec, "TLS handshake with", origin);
  beast::get_lowest_layer(*tls).expires_never();
  co_return std::make_unique<UpstreamConnection>(origin, std::move(tls));
}

}  // namespace ferry::http
