#include "ferry/actions/action_runner.h"

#include <fmt/format.h>

#include <variant>

#include "ferry/actions/lua_run.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/observe/ferry_metrics.h"
#include "ferry/observe/redact.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::actions {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using std::chrono::steady_clock;
using RunResult = std::variant<json, ActionFailure>;

RunResult as_failure(std::string message) {
  return RunResult(std::in_place_index<1>,
                   ActionFailure{Errc::action_failed, std::move(message), nullptr, ""});
}

ActionOutcome refused(std::string exec_id, Errc code, std::string message) {
  ActionOutcome outcome;
  outcome.exec_id = std::move(exec_id);
  outcome.failure = ActionFailure{code, std::move(message), nullptr, ""};
  return outcome;
}

net::awaitable<RunResult> run_native(const NativeAction& action, ActionContext& context,
                                     const json& input) {
  try {
    auto result = co_await action(context, input);
    if (!result) co_return as_failure(result.error().message);
    co_return RunResult(std::in_place_index<0>, std::move(*result));
  } catch (const std::exception& e) {
    co_return as_failure(fmt::format("the native action threw: {}", e.what()));
  }
}

net::awaitable<RunResult> run_script(const ActionDefinition& definition, ActionContext& context,
                                     const json& input, const ActionLimits& limits,
                                     const config::Integration& integration,
                                     BlockingPool* lua_threads) {
  LuaRun lua(context, definition.script, limits, integration.requests.base_url, lua_threads,
             integration.pagination);
  auto result = co_await lua.execute(input);
  co_return result;
}

// Counts a run that started in /metrics.
void count_run(const std::string& integration, const ActionOutcome& outcome,
               std::chrono::milliseconds elapsed) {
  // Runs refused before they started (unknown integration, action or connection) are not
  // counted: the integration key is then the caller's, unchecked.
  auto kind = observe::ActionRunOutcome::success;
  if (!outcome.ok()) {
    const std::string& limit = outcome.failure->limit;
    kind =
        limit.empty() ? observe::ActionRunOutcome::error : observe::ActionRunOutcome::limit_killed;
    if (!limit.empty()) observe::action_limit_kills(limit).add();
  }
  observe::integration_metrics(integration).record_action_run(kind, elapsed);
}

// Keeps the in-flight count right whichever way a run ends.
class InFlight {
 public:
  explicit InFlight(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~InFlight() { --count_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

}  // namespace

ActionRunner::ActionRunner(RunnerDependencies dependencies, RunnerOptions options)
    : deps_(std::move(dependencies)), options_(options) {}

net::awaitable<ActionOutcome> ActionRunner::run(store::ConnectionKey key, std::string action_name,
                                                json input) {
  std::string exec_id = random_hex(4);
  if (in_flight_.load() >= options_.max_concurrent_runs) {
    co_return refused(std::move(exec_id), Errc::unavailable,
                      "too many actions are running; try again later");
  }
  InFlight counted(in_flight_);
  try {
    auto outcome = co_await run_admitted(std::move(key), std::move(action_name), std::move(input),
                                         exec_id);
    co_return outcome;
  } catch (const std::exception& e) {
    observe::error("action run #{} stopped by an exception: {}", exec_id, e.what());
    co_return refused(std::move(exec_id), Errc::internal,
                      "the action run stopped on an internal error");
  }
}

Result<ActionRunner::Admitted> ActionRunner::admit(const store::ConnectionKey& key,
                                                   const std::string& action_name) const {
  const config::Integration* integration =
      deps_.project->find_integration(key.provider_config_key);
  if (!integration) {
    return Error{Errc::not_found,
                 fmt::format("unknown integration \"{}\"", key.provider_config_key)};
  }
  auto definition = deps_.registry->find(key.provider_config_key, action_name);
  if (!definition) {
    if (auto load_error = deps_.registry->load_error(key.provider_config_key, action_name)) {
      // The file is there but does not compile: say why, not that it does not exist.
      return Error{Errc::action_failed,
                   fmt::format("action \"{}\" cannot be loaded: {}", action_name, *load_error)};
    }
    return Error{Errc::not_found, fmt::format("no action \"{}\" for integration \"{}\"",
                                              action_name, key.provider_config_key)};
  }
  return Admitted{integration, std::move(definition)};
}

net::awaitable<Status> ActionRunner::check(const store::ConnectionKey& key,
                                           const std::string& action_name) {
  if (in_flight_.load() >= options_.max_concurrent_runs) {
    co_return Error{Errc::unavailable, "too many actions are running; try again later"};
  }
  auto admitted = admit(key, action_name);
  if (!admitted) co_return admitted.error();
  auto connection = co_await find_connection(key);
  if (!connection) co_return connection.error();
  co_return ok();
}

net::awaitable<Result<store::Connection>> ActionRunner::find_connection(
    const store::ConnectionKey& key) {
  if (deps_.connections) {
    auto snapshot = co_await deps_.connections->find(key);
    if (!snapshot) co_return snapshot.error();
    co_return **snapshot;
  }
  store::Store& store = *deps_.store;
  auto find = [&store, &key] { return store.find_connection(key); };
  if (deps_.blocking) co_return co_await deps_.blocking->run(find);
  co_return find();
}

net::awaitable<ActionOutcome> ActionRunner::run_admitted(store::ConnectionKey key,
                                                         std::string action_name, json input,
                                                         std::string exec_id) {
  auto admitted = admit(key, action_name);
  if (!admitted) {
    co_return refused(std::move(exec_id), admitted.error().code, admitted.error().message);
  }
  const config::Integration* integration = admitted->integration;
  const auto& definition = admitted->definition;
  auto connection = co_await find_connection(key);
  if (!connection) co_return refused(std::move(exec_id), connection.error().code,
                                     connection.error().message);

  RunServices services;
  services.http = deps_.http;
  services.store = deps_.store;
  services.blocking = deps_.blocking;
  services.log_level =
      integration->log_level.value_or(deps_.project->server.default_action_log_level);
  services.deadline = steady_clock::now() + options_.limits.wall_time;
  services.register_webhooks = deps_.register_webhooks;
  ActionContext context(RunIdentity{key.provider_config_key, action_name, exec_id},
                        std::move(*connection), std::move(services));
  context.log(observe::Level::debug, "started");
  const auto started = steady_clock::now();
  RunResult result;
  if (definition->native) {
    result = co_await run_native(definition->native, context, input);
  } else {
    result = co_await run_script(*definition, context, input, options_.limits, *integration,
                                 deps_.lua_threads.get());
  }
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - started);

  ActionOutcome outcome;
  outcome.exec_id = std::move(exec_id);
  if (result.index() == 0) {
    outcome.output = std::move(std::get<0>(result));
    context.log(observe::Level::info, fmt::format("succeeded in {} ms", elapsed.count()));
  } else {
    outcome.failure = std::move(std::get<1>(result));
    context.log(observe::Level::error,
                fmt::format("failed in {} ms: {}", elapsed.count(), outcome.failure->message));
  }
  record_activity(context, outcome, elapsed);
  count_run(key.provider_config_key, outcome, elapsed);
  co_return outcome;
}

void ActionRunner::record_activity(const ActionContext& context, const ActionOutcome& outcome,
                                   std::chrono::milliseconds elapsed) const {
  if (!deps_.activity) return;
  store::ActivityEntry entry;
  entry.level = outcome.ok() ? "info" : "error";
  entry.type = "action";
  entry.provider_config_key = context.integration();
  entry.connection_id = context.connection_id();
  entry.duration_ms = elapsed.count();
  entry.message = observe::redact(
      outcome.ok() ? fmt::format("action {} succeeded", context.action_name())
                   : fmt::format("action {} failed: {}", context.action_name(),
                                 outcome.failure->message));
  entry.details = {{"action", context.action_name()}, {"exec_id", outcome.exec_id}};
  deps_.activity->record(std::move(entry));
}

}  // namespace ferry::actions
