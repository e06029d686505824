#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>

#include "ferry/http/client/origin.h"

namespace ferry::http {

class UpstreamConnection;

struct PoolOptions {
  std::size_t max_idle_per_origin = 64;  // idle keep-alive connections kept per origin
  std::chrono::seconds idle_ttl{30};     // idle connections older than this are not reused
  // A connection idle at least this long is checked before reuse (one non-blocking peek:
  // has the server closed it, or written to it?). Busier ones are reused as they are.
  std::chrono::milliseconds check_after{1000};
};

// The idle keep-alive connections of ONE I/O thread, by origin. Owned by the upstream
// engine, one per worker; every member but stats() must be called on that worker's thread,
// so no lock is taken on a request's path.
//
// Staleness: servers close keep-alive connections after seconds of idleness (Node 5 s,
// nginx 75 s), and may send a 408 first. A connection idle for check_after or more is
// peeked at before reuse (MSG_PEEK, non-blocking): any readable byte or EOF means the server
// gave it up, and it is closed. A connection reused sooner is not checked: under load that
// is every request, which so costs no syscall, and a close within that window is the same
// race as a close crossing our request on the wire, which the engine handles.
class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently used idle connection to `origin` that is younger than idle_ttl, or
  // null. Older ones found on the way are closed.
  std::unique_ptr<UpstreamConnection> take(const Origin& origin);
  // Keeps `connection` for reuse, or closes it when the origin already has
  // max_idle_per_origin idle ones. REQUIRES: its last response was read completely and it
  // holds no unread byte.
  void put(std::unique_ptr<UpstreamConnection> connection);

  std::size_t idle_count() const;
  // Closes every idle connection.
  void clear();

  struct Stats {
    std::uint64_t reuses = 0;     // take() calls answered from the pool
    std::uint64_t evictions = 0;  // idle connections found closed (or written to) by the server
  };
  // Callable from any thread.
  Stats stats() const { return {reuses_.load(), evictions_.load()}; }

 private:
  const PoolOptions options_;
  std::map<Origin, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
  // Written by the owning thread only; relaxed atomics so stats() may read them anywhere.
  std::atomic<std::uint64_t> reuses_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace ferry::http
