#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/actions/action_http.h"
#include "ferry/actions/action_outcome.h"
#include "ferry/actions/action_registry.h"
#include "ferry/config/model.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
class ConnectionCache;
class ActivityWriter;
}  // namespace ferry::store

namespace ferry::actions {

struct RunnerOptions {
  ActionLimits limits;
  // Runs in flight past this many are refused with Errc::unavailable (each may hold up to
  // limits.memory_bytes).
  std::size_t max_concurrent_runs = 10'000;
};

// What the runner works with. Built once by the app. `http` may be null (every upstream
// call then fails with "unavailable"); `activity` may be null (no activity-log entries);
// `blocking` runs the store's work (null: inline, as in tests); `connections`, when set, is
// where a run finds its connection (this thread's snapshot; null: read from `store`);
// `lua_threads` runs the Lua part of script runs, so a script, however long it computes
// (up to its CPU limit), never holds the I/O thread that triggered it: each resume hops
// there and back, and the run's HTTP calls and store writes stay on the I/O executor
// (null: Lua runs on the caller's executor, as in tests).
struct RunnerDependencies {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> store;
  std::shared_ptr<BlockingPool> blocking;
  std::shared_ptr<store::ConnectionCache> connections;
  std::shared_ptr<ActionRegistry> registry;
  std::shared_ptr<ActionHttp> http;
  std::shared_ptr<store::ActivityWriter> activity;
  std::shared_ptr<BlockingPool> lua_threads;
  WebhookRegistration register_webhooks;  // may be empty (nango:register_jira_webhooks fails)
};

// Runs actions on demand (POST /action/trigger, or an embedding program). Thread-safe:
// run() may be called from any number of coroutines on any threads at once; each run is
// independent (its own Lua state, its own context).
class ActionRunner {
 public:
  ActionRunner(RunnerDependencies dependencies, RunnerOptions options = {});

  // Runs action `action_name` of integration `key.provider_config_key` for connection
  // `key`, with `input`. Suspends on the action's upstream calls; never throws. The
  // outcome carries a fresh exec ID, and either the action's output or the failure:
  // not_found for an unknown integration, action or connection; unavailable when too many
  // runs are in flight; action_failed for everything the action itself did wrong (see
  // ActionFailure). Each run logs its start (debug) and end (info, or error on failure)
  // with the "[integration] [action] [connection: id] [exec ID: #...]" prefix.
  boost::asio::awaitable<ActionOutcome> run(store::ConnectionKey key, std::string action_name,
                                            nlohmann::json input);

  // What run() would refuse before starting, found now: not_found for an unknown
  // integration, action or connection; action_failed for an action file that does not
  // load; unavailable when too many runs are in flight. ok() says nothing about the run
  // itself (its connection may go before it starts). Suspends on the connection lookup.
  boost::asio::awaitable<Status> check(const store::ConnectionKey& key,
                                       const std::string& action_name);

  const ActionLimits& limits() const { return options_.limits; }
  ActionRegistry& registry() { return *deps_.registry; }

 private:
  struct Admitted {
    const config::Integration* integration;
    std::shared_ptr<const ActionDefinition> definition;
  };
  // The action run() would run for `action_name` of `key`'s integration, or the failure
  // check() describes (but never unavailable).
  Result<Admitted> admit(const store::ConnectionKey& key, const std::string& action_name) const;
  // The run's connection: this thread's snapshot, else read from the store.
  boost::asio::awaitable<Result<store::Connection>> find_connection(const store::ConnectionKey& key);
  boost::asio::awaitable<ActionOutcome> run_admitted(store::ConnectionKey key,
                                                     std::string action_name,
                                                     nlohmann::json input,
                                                     std::string exec_id);
  void record_activity(const ActionContext& context, const ActionOutcome& outcome,
                       std::chrono::milliseconds elapsed) const;

  RunnerDependencies deps_;
  RunnerOptions options_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace ferry::actions
