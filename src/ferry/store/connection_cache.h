#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ferry/core/io_workers.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
}

namespace ferry::store {

class Store;

// Hashes a ConnectionKey for the per-thread maps.
struct ConnectionKeyHash {
  std::size_t operator()(const ConnectionKey& key) const;
};

// The hot path's connections: immutable snapshots (shared_ptr<const Connection>) kept in
// memory, one map per I/O thread, so a proxied call finds its credentials with no lock, no
// copy and no database access.
//
// Threads. Each worker of `workers` owns one map, touched only on its own thread. A miss
// reads the database on the blocking pool and posts the row back; the row becomes that
// thread's snapshot. A coroutine on any other executor reads through (nothing is kept).
//
// Writes replace snapshots, never edit them. After a write, publish() hands the new row to
// every worker (each adopts it if it holds an older version of the same row) and
// invalidate() makes every worker drop the key; both post to the workers' io_contexts and
// return at once, and a worker applies them before anything it receives later. Each map has
// a generation bumped by every publish and invalidation, so a read that raced with a write
// is never kept over the newer row (it is used once, by the request that asked).
//
// Thread-safe: every member may be called from any thread. Owned by the app; outlives the
// workers' io_contexts' last run.
class ConnectionCache {
 public:
  // `inner` is the store itself (not a caching decorator); `blocking` runs its reads.
  ConnectionCache(std::shared_ptr<Store> inner, IoWorkers workers, BlockingPool& blocking);
  ~ConnectionCache();
  ConnectionCache(const ConnectionCache&) = delete;
  ConnectionCache& operator=(const ConnectionCache&) = delete;

  // The connection for `key`. Suspends only on a miss. Errc::not_found for an unknown
  // connection; any other store error as the store reports it (never cached).
  boost::asio::awaitable<Result<std::shared_ptr<const Connection>>> find(const ConnectionKey& key);

  // Every worker replaces its snapshot of `row`'s key with `row` when it holds an older
  // version of the same row (same id); a worker without one keeps none.
  void publish(std::shared_ptr<const Connection> row);
  // Every worker drops `key`.
  void invalidate(const ConnectionKey& key);
  // Every worker drops every key.
  void invalidate_all();

  // Snapshots held by the worker whose io_context runs `executor` (tests); 0 for others.
  std::size_t cached_count(const boost::asio::any_io_executor& executor) const;

  struct Slot;  // one worker's map; connection_cache.cc

 private:
  template <class F>
  void on_every_worker(F f);

  std::shared_ptr<Store> inner_;
  IoWorkers workers_;
  BlockingPool& blocking_;
  std::vector<std::unique_ptr<Slot>> slots_;  // one per worker, same order
};

}  // namespace ferry::store
