#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/store/postgres/connection.h"
#include "ferry/store/postgres/target.h"

namespace ferry::store::pg {

struct PoolOptions {
  // Most connections open at once, lent out or idle. Default: 4 (database_pool_size).
  std::size_t size = 4;
  ConnectOptions connect;
  // The longest acquire() waits for a lent-out connection to come back when all `size`
  // are out. Default: 20 s.
  std::chrono::milliseconds acquire_timeout{20'000};
};

// A budget of connections to one database, each lent out whole to one caller at a time.
// Connections open on first need (none at construction); a returned connection stays idle
// for the next caller unless it is broken. A connection lost to a database restart or to
// pg_terminate_backend() is noticed when it is next lent (DbConnection::is_usable()) or
// when a statement fails on it, dropped, and replaced by a fresh one on the next
// acquire(): that is how the store recovers once the database is back. Thread-safe.
// Leases must not outlive their pool.
class Pool {
 public:
  // `name` says which pool in messages ("query pool").
  Pool(std::shared_ptr<const Target> target, PoolOptions options, std::string name);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // One lent-out connection; goes back to its pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), db_(std::exchange(other.db_, std::nullopt)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    DbConnection& operator*() { return *db_; }
    DbConnection* operator->() { return &*db_; }

   private:
    friend class Pool;
    Lease(Pool* pool, DbConnection db) : pool_(pool), db_(std::move(db)) {}
    Pool* pool_;
    std::optional<DbConnection> db_;  // empty once moved from
  };

  // A usable connection: an idle one, else a new one while the budget allows, else the
  // first one given back within acquire_timeout. Errc::unavailable when connecting fails
  // (DbConnection::connect's message: the database is down, unreachable or refusing) or
  // when no connection came back in time. Blocks for at most acquire_timeout plus one
  // connect_timeout.
  Result<Lease> acquire();
  // acquire() that never waits for a lent-out connection: nullopt when all `size` are
  // out. Still opens a new connection while the budget allows (at most connect_timeout).
  Result<std::optional<Lease>> try_acquire();

  // Connections open now, lent out or idle (tests).
  std::size_t open_connections() const;

 private:
  // An idle or new connection, waiting for one to come back until `deadline` (which may
  // have passed: then it does not wait); nullopt when none came back.
  Result<std::optional<Lease>> take(std::chrono::steady_clock::time_point deadline);
  void give_back(std::optional<DbConnection>& db);
  void release_slot();

  const std::shared_ptr<const Target> target_;
  const PoolOptions options_;
  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<DbConnection> idle_;  // guarded by mu_
  std::size_t lent_ = 0;            // guarded by mu_; lent out or being opened
};

}  // namespace ferry::store::pg
