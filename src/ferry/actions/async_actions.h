#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/async_actions.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
class PeriodicTask;
}  // namespace ferry
namespace ferry::store {
class Store;
}

namespace ferry::actions {

class ActionRunner;

struct AsyncActionOptions {
  // ferry.yaml's `environment`: runs are written in it and read back only in it.
  std::string environment = "prod";
  // Results are kept this long after their trigger, then pruned; an older id is unknown.
  std::chrono::seconds retention = std::chrono::hours(24);
  // A run's lease is its wall-time limit plus this: a run still "running" past it belonged
  // to a process that stopped, and reads as failed.
  std::chrono::seconds lease_grace{60};
  std::size_t max_result_bytes = store::kMaxAsyncActionResultBytes;
  std::chrono::milliseconds prune_interval{60'000};  // how often maintenance runs
  std::size_t prune_batch = 1'000;                   // rows deleted per round
};

// Asynchronous actions (X-Async: true on POST /action/trigger): start() checks the trigger
// as the synchronous path would, writes the run "running" in the store and runs it in the
// background through the same ActionRunner (same limits, log lines and activity entries);
// its end writes the output or the error. find() reads a run back. Maintenance (started by
// the app) expires abandoned runs and prunes those past retention.
//
// Why a lease rather than a sweep at start-up: with PostgreSQL several processes share the
// table, so one that starts cannot tell its own dead runs from another's live ones. No run
// outlives its wall-time limit, so a row still running past that (plus a grace period)
// belongs to a process that stopped, on either backend. (Lua runs stop at their wall-time
// limit; a native action that overruns it past the grace reads as failed too, and its late
// result is refused and logged.)
//
// Thread-safe. Owned through shared_ptr: a background run keeps it alive until it ends.
class AsyncActions : public std::enable_shared_from_this<AsyncActions> {
 public:
  // `blocking` runs the store's work (null: inline, as in tests).
  AsyncActions(std::shared_ptr<ActionRunner> runner, std::shared_ptr<store::Store> store,
               std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock,
               AsyncActionOptions options = {});
  ~AsyncActions();
  AsyncActions(const AsyncActions&) = delete;
  AsyncActions& operator=(const AsyncActions&) = delete;

  // Starts action `action_name` of `key` with `input` in the background, on `executor`,
  // and returns the run's id (a UUID) once it is written. Fails, and runs nothing, as
  // ActionRunner::check() does (not_found, action_failed, unavailable), or with the store's
  // error. Suspends on the checks and the store write; never throws.
  boost::asio::awaitable<Result<std::string>> start(store::ConnectionKey key,
                                                    std::string action_name, nlohmann::json input,
                                                    boost::asio::any_io_executor executor);

  // Run `id` of this environment as it stands (store::Store::find_async_action):
  // Errc::not_found for an unknown, pruned or other environment's id. Suspends.
  boost::asio::awaitable<Result<store::AsyncActionRun>> find(std::string id);

  // One maintenance pass, blocking: expires abandoned runs and deletes runs older than the
  // retention, in rounds of prune_batch. Returns how many it deleted.
  Result<std::size_t> prune();

  // Runs prune() every prune_interval on `executor` (the blocking pool's) until
  // stop_maintenance() or destruction. Calling it twice has no effect.
  void start_maintenance(boost::asio::any_io_executor executor);
  void stop_maintenance();

 private:
  boost::asio::awaitable<void> run_in_background(std::shared_ptr<AsyncActions> self, std::string id,
                                                 store::ConnectionKey key, std::string action_name,
                                                 nlohmann::json input);
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> on_blocking(F fn);

  std::shared_ptr<ActionRunner> runner_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<BlockingPool> blocking_;
  std::shared_ptr<const Clock> clock_;
  const AsyncActionOptions options_;
  std::mutex maintenance_mu_;
  std::unique_ptr<PeriodicTask> maintenance_;  // guarded by maintenance_mu_
};

}  // namespace ferry::actions
