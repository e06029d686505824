#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "ferry/core/result.h"
#include "ferry/http/client/origin.h"
#include "ferry/http/client/proxy_settings.h"

namespace boost::asio {
class io_context;
}

namespace ferry::http {

class UpstreamConnection;

struct ClientOptions {
  std::string ca_file;                      // extra trusted CAs (PEM), besides the system store
  std::size_t max_idle_per_origin = 64;     // idle keep-alive connections kept per origin
  std::chrono::seconds idle_ttl{30};        // idle connections older than this are closed
  ProxySettings proxy;                      // HTTPS_PROXY / HTTP_PROXY / NO_PROXY
};

// Opens and pools upstream connections: DNS, TCP, optional CONNECT tunnel through an
// outbound proxy, and TLS with certificate and host-name verification (system CA store plus
// `ca_file`) and SNI. Thread-safe: any coroutine on any thread may acquire and release.
// Lives as long as the io_context it was created with (shared_ptr, held by the app).
class HttpClient {
 public:
  // Errc::invalid_argument when `ca_file` cannot be loaded.
  static Result<std::shared_ptr<HttpClient>> create(boost::asio::io_context& ioc,
                                                    ClientOptions options);
  ~HttpClient();

  // A connection to `origin`: an idle pooled one when available, else a new one. Suspends.
  // `timeout` bounds resolving, connecting, the proxy tunnel and the TLS handshake together.
  // Errc::upstream_timeout when it passes; Errc::upstream_unreachable when the host does not
  // resolve, refuses, or fails TLS verification (the message names the host, never a secret).
  boost::asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> acquire(
      const Origin& origin, std::chrono::steady_clock::duration timeout);

  // Returns a connection whose last exchange completed cleanly and may be kept alive.
  void release(std::unique_ptr<UpstreamConnection> connection);

  struct Stats {
    std::size_t connects = 0;  // new connections opened
    std::size_t reuses = 0;    // acquisitions served from the pool
  };
  Stats stats() const;

  struct Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::http
