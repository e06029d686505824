#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "ferry/actions/action_http.h"
#include "ferry/core/result.h"
#include "ferry/observe/log.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
}

namespace ferry::actions {

// Who a run is: the integration and action names, the connection and the exec ID that every
// log line and the trigger response carry.
struct RunIdentity {
  std::string integration;  // provider_config_key
  std::string action;
  std::string exec_id;      // 8 lower-case hex digits
};

// Registers provider webhooks for a connection (today Jira's: atlassian/
// jira_webhook_registrar.h), sending through `send`; answers as POST
// /connections/{id}/jira-webhooks does. Supplied by the app, so actions need not know the
// providers' webhook APIs.
using WebhookRegistration = std::function<boost::asio::awaitable<Result<nlohmann::json>>(
    const store::ConnectionKey& key,
    std::function<boost::asio::awaitable<Result<ActionResponse>>(ActionRequest)> send,
    nlohmann::json spec)>;

// What one run may use. `http` may be null: every call then fails with Errc::unavailable.
// The store is called on `blocking` (inline when it is null, as in tests).
struct RunServices {
  std::shared_ptr<ActionHttp> http;
  std::shared_ptr<store::Store> store;
  std::shared_ptr<BlockingPool> blocking;
  observe::Level log_level = observe::Level::info;  // the integration's, else the server default
  std::chrono::steady_clock::time_point deadline;   // the run's wall-clock end
  WebhookRegistration register_webhooks;            // may be empty: unavailable
};

// Everything an action (Lua or native) can do for its connection: upstream calls through the
// proxy's path, metadata writes, logging with the run's prefix. Made by ActionRunner for one
// run and valid until the run ends. Not thread-safe: a run's steps never overlap (they follow
// one another on the triggering request's executor).
class ActionContext {
 public:
  ActionContext(RunIdentity identity, store::Connection connection, RunServices services);
  ActionContext(const ActionContext&) = delete;
  ActionContext& operator=(const ActionContext&) = delete;

  const std::string& integration() const { return identity_.integration; }
  const std::string& action_name() const { return identity_.action; }
  const std::string& exec_id() const { return identity_.exec_id; }
  const std::string& connection_id() const { return key_.connection_id; }
  const store::ConnectionKey& key() const { return key_; }

  // The connection as actions see it, without credentials:
  // {"connection_id", "provider_config_key", "provider", "connection_config", "metadata"}.
  // Reflects set_metadata/update_metadata made by this run.
  const nlohmann::json& connection_view() const { return view_; }

  // One upstream call for this connection through ActionHttp. Suspends until the answer or
  // the run's deadline, whichever comes first. An upstream 4xx/5xx is a response, not an
  // error. Errors: those of ActionHttp::send (invalid_argument for an endpoint the guard
  // rejects, upstream_*); Errc::unavailable without an ActionHttp; Errc::upstream_timeout
  // when the deadline passed first (deadline_passed() is then true).
  boost::asio::awaitable<Result<ActionResponse>> send(ActionRequest request);
  bool deadline_passed() const { return deadline_passed_; }
  std::chrono::steady_clock::time_point deadline() const { return services_.deadline; }

  // Replaces (set) or merges the top-level keys of (update) the connection's metadata.
  // Suspends while the store writes (on the blocking pool). Errc::invalid_argument when
  // `metadata` is not an object; store errors otherwise.
  boost::asio::awaitable<Status> set_metadata(nlohmann::json metadata);
  boost::asio::awaitable<Status> update_metadata(nlohmann::json metadata);

  // Registers Jira webhooks for this connection (nango:register_jira_webhooks) through
  // RunServices::register_webhooks, its calls made with send(). Errc::unavailable without it.
  boost::asio::awaitable<Result<nlohmann::json>> register_webhooks(nlohmann::json spec);

  // True when a line at `level` passes the run's log level.
  bool log_enabled(observe::Level level) const;
  // Writes "[<integration>] [<action>] [connection: <id>] [exec ID: #<id>] <message>" through
  // observe:: (redacted) when `level` passes the run's log level.
  void log(observe::Level level, std::string_view message) const;
  // "[jira] [create-issue] [connection: u1] [exec ID: #0a1b2c3d]".
  const std::string& log_prefix() const { return prefix_; }

 private:
  boost::asio::awaitable<Status> write_metadata(nlohmann::json metadata, bool merge);

  RunIdentity identity_;
  store::ConnectionKey key_;
  RunServices services_;
  nlohmann::json view_;
  std::string prefix_;
  bool deadline_passed_ = false;
};

// A native action: the same contract as a Lua one. Receives the run's context and the
// trigger's input; returns the JSON output, or an Error that fails the run (action_failed,
// with the error's message). Runs on the triggering request's executor and must not block
// it: wait with co_await only. Exceptions that escape fail the run as well.
using NativeAction = std::function<boost::asio::awaitable<Result<nlohmann::json>>(
    ActionContext& context, const nlohmann::json& input)>;

}  // namespace ferry::actions
