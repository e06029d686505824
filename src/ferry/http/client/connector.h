#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ferry/core/egress_policy.h"
#include "ferry/core/result.h"
#include "ferry/http/client/origin.h"
#include "ferry/http/client/proxy_settings.h"

namespace ferry::http {

class UpstreamConnection;

struct ConnectorOptions {
  std::string ca_file;  // extra trusted CAs (PEM), besides the system store
  ProxySettings proxy;  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY
  EgressPolicy egress;  // judges origins marked egress_checked; default: public https only
};

// Opens new upstream connections: DNS (skipped for an IP literal, in any spelling
// inet_aton accepts), TCP, an optional CONNECT tunnel through an outbound proxy, and TLS
// with certificate and host-name verification (system CA store plus `ca_file`) and SNI.
// Immutable once created; connect() may be called from any thread.
//
// Egress: for an origin marked egress_checked, the host is resolved here and each address
// is judged by the egress policy; only addresses that pass are connected to, so what was
// checked is what is reached (no second lookup a rebinding DNS server could answer
// differently). Through an outbound proxy, the tunnel is asked for the checked address
// itself (CONNECT 93.184.215.14:443), while TLS still verifies the host name.
class Connector {
 public:
  // Errc::invalid_argument when `ca_file` (or the system store) cannot be loaded.
  static Result<std::unique_ptr<Connector>> create(ConnectorOptions options);
  ~Connector();

  // A new connection to `origin` whose sockets run on `executor`. Suspends. `timeout`
  // bounds resolving, connecting, the tunnel and the handshake together.
  // Errc::upstream_timeout when it passes; Errc::upstream_unreachable when the host does not
  // resolve, refuses, or fails TLS verification (the message names the host, never a secret);
  // Errc::egress_forbidden, before any connection is attempted, when `origin` is
  // egress_checked and the policy refuses every address it resolves to (the message names
  // the host and the first reason).
  boost::asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> connect(
      boost::asio::any_io_executor executor, const Origin& origin,
      std::chrono::steady_clock::duration timeout) const;

  struct Impl;

 private:
  explicit Connector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::http
