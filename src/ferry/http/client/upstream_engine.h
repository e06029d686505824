#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "ferry/core/io_workers.h"
#include "ferry/core/result.h"
#include "ferry/http/client/connection_pool.h"
#include "ferry/http/client/connector.h"
#include "ferry/http/client/exchange.h"

namespace ferry::http {

struct EngineOptions {
  ConnectorOptions connector;
  PoolOptions pool;
};

// The one upstream engine (DESIGN.md §3, STYLE.md §2.8): every outgoing HTTP request of
// Ferry, proxied calls, actions' calls and OAuth token requests alike, is sent here, so the
// rules for reusing connections, validating headers and reading responses exist once.
//
// Thread-per-core: each I/O thread of `workers` has its own connection pool, and a request
// uses the pool of the thread its coroutine runs on, so a request never crosses threads and
// takes no lock. A coroutine on any other executor (a test's io_context) gets a fresh
// connection that is closed after its response. Owned by the app (shared_ptr); outlives
// the I/O threads.
class UpstreamEngine final : public Exchange {
 public:
  // Errc::invalid_argument when the TLS trust store cannot be loaded.
  static Result<std::shared_ptr<UpstreamEngine>> create(EngineOptions options, IoWorkers workers);
  ~UpstreamEngine() override;

  // See Exchange::send. Transport errors map as follows: DNS, refused, reset or TLS
  // failures while connecting -> connect_failed (upstream_unreachable); the timeout while
  // connecting -> connect_timeout (upstream_timeout); the timeout after -> timeout
  // (upstream_timeout); a close or reset before the response head -> connection_lost
  // (upstream_unreachable); an address the egress policy refuses -> refused
  // (egress_forbidden).
  boost::asio::awaitable<ExchangeOutcome> send(const OutboundRequest& request,
                                               BodySource& body) override;

  // Closes every pooled connection. Sockets belong to the I/O threads' io_contexts, so they
  // must go while those exist, whatever else still holds the engine. REQUIRES: the I/O
  // threads have stopped running.
  void close_idle();

  struct Stats {
    std::uint64_t connects = 0;       // new connections opened
    std::uint64_t reuses = 0;         // requests sent on a pooled connection
    std::uint64_t stale_resends = 0;  // requests sent again after a pooled connection failed
    std::uint64_t evictions = 0;      // idle connections the servers closed
  };
  // Callable from any thread; a snapshot of counters that keep moving.
  Stats stats() const;

  struct Impl;

 private:
  explicit UpstreamEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::http
