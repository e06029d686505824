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
};

// The idle keep-alive connections of ONE I/O thread, by origin. Owned by the upstream
// engine, one per worker; every member but stats() must be called on that worker's thread,
// so no lock is taken on a request's path.
//
// An idle connection is watched: put() starts a wait for readability on its socket, and a
// server that closes it (or sends anything, such as a 408) while it sits in the pool has it
// evicted at once. take() cancels the watch. So a stale connection is found without a
// syscall per request, and a request is rarely sent on a connection the server already gave
// up (the remaining race, a close crossing our request on the wire, is the engine's to
// handle).
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

  struct Stats {
    std::uint64_t reuses = 0;     // take() calls answered from the pool
    std::uint64_t evictions = 0;  // idle connections the server closed (or wrote to)
  };
  // Callable from any thread.
  Stats stats() const { return {reuses_.load(), evictions_.load()}; }

 private:
  void watch(UpstreamConnection& connection);
  void evict(const UpstreamConnection* connection, std::uint64_t ticket);

  const PoolOptions options_;
  std::map<Origin, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
  std::uint64_t next_ticket_ = 0;
  // Written by the owning thread only; relaxed atomics so stats() may read them anywhere.
  std::atomic<std::uint64_t> reuses_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace ferry::http
