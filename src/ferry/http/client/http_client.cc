#include "ferry/http/client/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <mutex>

#include "ferry/http/client/proxy_tunnel.h"
#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct HttpClient::Impl {
  net::io_context& ioc;
  ClientOptions options;
  ssl::context tls_context{ssl::context::tls_client};

  mutable std::mutex mutex;
  std::map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle;  // GUARDED_BY(mutex)
  Stats stats;                                                                  // GUARDED_BY(mutex)

  Impl(net::io_context& io, ClientOptions opts) : ioc(io), options(std::move(opts)) {}

  std::unique_ptr<UpstreamConnection> take_idle(const Origin& origin);
  net::awaitable<Result<std::unique_ptr<UpstreamConnection>>> connect(const Origin& origin,
                                                                      Clock::duration timeout);
};

namespace {

// An idle keep-alive connection is usable only if the server has not closed it and has
// sent nothing since: any readable byte (EOF, an error page, a TLS alert) means stale.
bool looks_alive(UpstreamConnection& connection) {
  char byte;
  auto fd = connection.tcp().socket().native_handle();
  ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Error transport_error(const boost::system::error_code& ec, std::string_view step,
                      const Origin& origin) {
  if (ec == beast::error::timeout || ec == net::error::operation_aborted) {
    return Error{Errc::upstream_timeout,
                 std::string(step) + " " + origin.host + ":" + std::to_string(origin.port) +
                     " timed out"};
  }
  return Error{Errc::upstream_unreachable, std::string(step) + " " + origin.host + ":" +
                                               std::to_string(origin.port) + " failed: " +
                                               ec.message()};
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// Certificate checks for `host`: the chain against the trusted CAs (verify_peer) and the
// name (or IP) against the certificate's subjectAltName, by OpenSSL itself.
Status configure_verification(UpstreamConnection::TlsStream& tls, const std::string& host) {
  SSL* handle = tls.native_handle();
  if (is_ip_address(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), host.c_str()) != 1) {
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

}  // namespace

std::unique_ptr<UpstreamConnection> HttpClient::Impl::take_idle(const Origin& origin) {
  std::lock_guard lock(mutex);
  auto it = idle.find(origin.key());
  if (it == idle.end()) return nullptr;
  auto& queue = it->second;
  const auto now = Clock::now();
  while (!queue.empty()) {
    // Newest first: it is the least likely to have been closed by the server.
    auto connection = std::move(queue.back());
    queue.pop_back();
    if (now - connection->idle_since < options.idle_ttl && looks_alive(*connection)) {
      ++stats.reuses;
      return connection;
    }
  }
  return nullptr;
}

net::awaitable<Result<std::unique_ptr<UpstreamConnection>>> HttpClient::Impl::connect(
    const Origin& origin, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  auto remaining = [deadline] {
    return std::max(Clock::duration(std::chrono::milliseconds(1)), deadline - Clock::now());
  };
  const auto via = options.proxy.proxy_for(origin);
  const Origin& dial = via ? *via : origin;
  // Sockets use the io_context's executor, not the caller's strand: a pooled connection
  // serves requests of many sessions, one at a time.
  auto executor = ioc.get_executor();
  boost::system::error_code ec;

  tcp::resolver resolver(executor);
  net::steady_timer resolve_timer(executor, remaining());
  resolve_timer.async_wait([&resolver](boost::system::error_code wait_ec) {
    if (!wait_ec) resolver.cancel();
  });
  auto endpoints = co_await resolver.async_resolve(dial.host, std::to_string(dial.port),
                                                   net::redirect_error(net::use_awaitable, ec));
  resolve_timer.cancel();
  if (ec) co_return transport_error(ec, "resolving", dial);

  auto stream = std::make_unique<beast::tcp_stream>(executor);
  stream->expires_after(remaining());
  co_await stream->async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return transport_error(ec, "connecting to", dial);
  stream->socket().set_option(tcp::no_delay(true), ec);

  if (via) {
    auto tunnel = co_await open_proxy_tunnel(*stream, origin, remaining());
    if (!tunnel) co_return tunnel.error();
  }
  {
    std::lock_guard lock(mutex);
    ++stats.connects;
  }
  if (!origin.tls) {
    stream->expires_never();
    co_return std::make_unique<UpstreamConnection>(origin, std::move(stream));
  }
  auto tls = std::make_unique<UpstreamConnection::TlsStream>(std::move(*stream), tls_context);
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

Result<std::shared_ptr<HttpClient>> HttpClient::create(net::io_context& ioc, ClientOptions options) {
  auto impl = std::make_unique<Impl>(ioc, std::move(options));
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
  return std::shared_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

net::awaitable<Result<std::unique_ptr<UpstreamConnection>>> HttpClient::acquire(
    const Origin& origin, Clock::duration timeout) {
  if (auto pooled = impl_->take_idle(origin)) co_return std::move(pooled);
  co_return co_await impl_->connect(origin, timeout);
}

void HttpClient::release(std::unique_ptr<UpstreamConnection> connection) {
  if (!connection) return;
  connection->idle_since = Clock::now();
  connection->mark_reused();
  connection->tcp().expires_never();
  std::lock_guard lock(impl_->mutex);
  auto& queue = impl_->idle[connection->origin().key()];
  if (queue.size() < impl_->options.max_idle_per_origin) queue.push_back(std::move(connection));
}

HttpClient::Stats HttpClient::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace ferry::http
