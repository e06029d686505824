#include "ferry/actions/async_actions.h"

#include <utility>  // before Asio's coroutine headers

#include <boost/asio/co_spawn.hpp>

#include "ferry/actions/action_runner.h"
#include "ferry/actions/async_result.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/core/periodic_task.h"
#include "ferry/observe/log.h"
#include "ferry/store/store.h"

namespace ferry::actions {
namespace net = boost::asio;
using nlohmann::json;

AsyncActions::AsyncActions(std::shared_ptr<ActionRunner> runner,
                           std::shared_ptr<store::Store> store,
                           std::shared_ptr<BlockingPool> blocking,
                           std::shared_ptr<const Clock> clock, AsyncActionOptions options)
    : runner_(std::move(runner)),
      store_(std::move(store)),
      blocking_(std::move(blocking)),
      clock_(std::move(clock)),
      options_(std::move(options)) {}

AsyncActions::~AsyncActions() { stop_maintenance(); }

template <class F>
net::awaitable<std::invoke_result_t<F&>> AsyncActions::on_blocking(F fn) {
  if (blocking_) co_return co_await blocking_->run(std::move(fn));
  co_return fn();
}

net::awaitable<Result<std::string>> AsyncActions::start(store::ConnectionKey key,
                                                        std::string action_name, json input,
                                                        net::any_io_executor executor) {
  if (auto checked = co_await runner_->check(key, action_name); !checked) {
    co_return checked.error();
  }
  store::AsyncActionRun run;
  run.id = uuid_v4();
  run.environment = options_.environment;
  run.key = key;
  run.action_name = action_name;
  // The lease starts before the run does, so it always covers the whole run.
  run.lease_until = clock_->now() + runner_->limits().wall_time + options_.lease_grace;
  store::Store& store = *store_;
  auto written = co_await on_blocking([&store, &run] { return store.start_async_action(run); });
  if (!written) co_return written.error();
  net::co_spawn(executor,
                run_in_background(shared_from_this(), run.id, std::move(key),
                                  std::move(action_name), std::move(input)),
                [id = run.id](std::exception_ptr thrown) {
                  if (!thrown) return;
                  try {
                    std::rethrow_exception(thrown);
                  } catch (const std::exception& e) {
                    observe::error("asynchronous action {} stopped by an exception: {}", id,
                                   e.what());
                  }
                });
  co_return run.id;
}

// `self` keeps the runner, the store and the pool alive until the result is written.
net::awaitable<void> AsyncActions::run_in_background(
    [[maybe_unused]] std::shared_ptr<AsyncActions> self, std::string id, store::ConnectionKey key,
    std::string action_name, json input) {
  auto outcome = co_await runner_->run(std::move(key), std::move(action_name), std::move(input));
  observe::debug("asynchronous action {} ran as exec ID #{}", id, outcome.exec_id);
  StoredResult stored = stored_result(outcome, options_.max_result_bytes);
  store::Store& store = *store_;
  auto written = co_await on_blocking(
      [&store, &id, &stored] { return store.finish_async_action(id, stored.state, stored.json); });
  if (!written) {
    // The row then reads as failed once its lease runs out.
    observe::warn("asynchronous action {} (exec ID #{}): result not stored: {}", id,
                  outcome.exec_id, written.error().message);
  }
}

net::awaitable<Result<store::AsyncActionRun>> AsyncActions::find(std::string id) {
  store::Store& store = *store_;
  const std::string& environment = options_.environment;
  co_return co_await on_blocking(
      [&store, &environment, &id] { return store.find_async_action(environment, id); });
}

Result<std::size_t> AsyncActions::prune() {
  const TimePoint before = clock_->now() - options_.retention;
  std::size_t total = 0;
  for (;;) {
    auto deleted = store_->prune_async_actions(before, options_.prune_batch);
    if (!deleted) return deleted;
    total += *deleted;
    if (*deleted < options_.prune_batch) return total;
  }
}

void AsyncActions::start_maintenance(net::any_io_executor executor) {
  std::lock_guard lock(maintenance_mu_);
  if (maintenance_) return;
  // The task holds a weak reference: maintenance never keeps the service alive.
  std::weak_ptr<AsyncActions> weak = weak_from_this();
  maintenance_ =
      std::make_unique<PeriodicTask>(std::move(executor), options_.prune_interval, [weak] {
        auto self = weak.lock();
        if (!self) return;
        if (auto pruned = self->prune(); !pruned) {
          observe::warn("asynchronous actions: pruning failed: {}", pruned.error().message);
        }
      });
  maintenance_->start();
}

void AsyncActions::stop_maintenance() {
  std::lock_guard lock(maintenance_mu_);
  if (maintenance_) maintenance_->stop();
}

}  // namespace ferry::actions
