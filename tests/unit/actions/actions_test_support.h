#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ferry/actions/action_http.h"
#include "ferry/actions/action_registry.h"
#include "ferry/actions/action_runner.h"
#include "ferry/config/model.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/store/open_store.h"
#include "ferry/store/store.h"
#include "temp_folder.h"

namespace ferry::actions::testing {

using ferry::testing::TempFolder;

// An ActionHttp that answers from a function, optionally after a timer, and records every
// request. Endpoints with a scheme or starting with "//" are refused the way the proxy's
// guard refuses them.
class FakeActionHttp : public ActionHttp {
 public:
  using Responder = std::function<Result<ActionResponse>(const ActionRequest&)>;

  explicit FakeActionHttp(Responder responder = nullptr) : responder_(std::move(responder)) {}

  void set_delay(std::chrono::milliseconds delay) { delay_ = delay; }

  boost::asio::awaitable<Result<ActionResponse>> send(const store::ConnectionKey& key,
                                                      ActionRequest request) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      keys_.push_back(key);
    }
    in_flight_max_ = std::max(in_flight_max_.load(), ++in_flight_);
    if (delay_.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay_);
      boost::system::error_code ec;
      co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    --in_flight_;
    if (request.endpoint.find("://") != std::string::npos || request.endpoint.starts_with("//")) {
      co_return Error{Errc::invalid_argument,
                      "the proxy endpoint starts with a URL scheme or has a ':' in its first "
                      "segment"};
    }
    if (!responder_) co_return ActionResponse{200, {}, "{}"};
    co_return responder_(request);
  }

  std::vector<ActionRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<store::ConnectionKey> keys() const {
    std::lock_guard lock(mu_);
    return keys_;
  }
  int max_in_flight() const { return in_flight_max_.load(); }

 private:
  Responder responder_;
  std::chrono::milliseconds delay_{0};
  mutable std::mutex mu_;
  std::vector<ActionRequest> requests_;
  std::vector<store::ConnectionKey> keys_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> in_flight_max_{0};
};

inline ActionResponse json_answer(int status, const nlohmann::json& body,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return ActionResponse{status, std::move(headers), body.dump()};
}

// An integrations folder with a "jira" integration, an in-memory store holding connection
// "u1" of it, a registry over the folder and a runner using a FakeActionHttp.
class ActionsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto project = std::make_shared<config::Project>();
    project->dir = folder_.path();
    project->server.default_action_log_level = observe::Level::info;
    for (const char* key : {"jira", "confluence"}) {
      config::Integration integration;
      integration.key = key;
      integration.provider = "jira";
      integration.requests.base_url = "https://api.atlassian.com/";
      project->integrations.emplace(key, integration);
    }
    project_ = project;
    auto opened = store::open_store("sqlite://:memory:", "");
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(opened).value();
    for (const char* key : {"jira", "confluence"}) {
      store::Connection connection;
      connection.connection_id = "u1";
      connection.provider_config_key = key;
      connection.provider = "jira";
      connection.credentials.type = store::CredentialType::oauth2;
      connection.credentials.access_token = "secret-token-value";
      connection.connection_config = {{"cloudId", "cloud-1"}};
      connection.metadata = {{"team", "core"}};
      ASSERT_TRUE(store_->create_connection(connection));
    }
    registry_ = std::make_shared<ActionRegistry>(folder_.path());
    http_ = std::make_shared<FakeActionHttp>([this](const ActionRequest& r) {
      return responder_ ? responder_(r) : Result<ActionResponse>(ActionResponse{200, {}, "{}"});
    });
    make_runner();
  }

  void make_runner() {
    RunnerDependencies deps;
    deps.project = project_;
    deps.store = store_;
    deps.registry = registry_;
    deps.http = http_;
    deps.lua_threads = lua_threads_;
    deps.register_webhooks = register_webhooks_;
    runner_ = std::make_unique<ActionRunner>(std::move(deps), options_);
  }

  // Writes jira/<name>.action.lua and reloads the registry.
  void write_action(const std::string& name, const std::string& source,
                    const std::string& integration = "jira") {
    folder_.write(integration + "/" + name + ".action.lua", source);
    ReloadReport report = registry_->reload();
    for (const auto& error : report.errors) ADD_FAILURE() << error.message;
  }

  // Runs `action` for connection u1 of `integration` on a fresh io_context, to the end.
  ActionOutcome run(const std::string& action, nlohmann::json input = nullptr,
                    const std::string& integration = "jira") {
    boost::asio::io_context ioc;
    ActionOutcome outcome;
    bool finished = false;
    boost::asio::co_spawn(
        ioc, runner_->run({integration, "u1"}, action, std::move(input)),
        [&](std::exception_ptr e, ActionOutcome o) {
          if (e) std::rethrow_exception(e);
          outcome = std::move(o);
          finished = true;
        });
    ioc.run();
    EXPECT_TRUE(finished);
    return outcome;
  }

  // The output of a run that must succeed.
  nlohmann::json output_of(const std::string& action, nlohmann::json input = nullptr) {
    ActionOutcome outcome = run(action, std::move(input));
    EXPECT_TRUE(outcome.ok()) << outcome.failure->message;
    return outcome.output;
  }

  // The failure message of a run that must fail.
  std::string failure_of(const std::string& action, nlohmann::json input = nullptr) {
    ActionOutcome outcome = run(action, std::move(input));
    EXPECT_FALSE(outcome.ok()) << outcome.output.dump();
    if (outcome.ok()) return "";
    EXPECT_EQ(outcome.failure->code, Errc::action_failed);
    return outcome.failure->message;
  }

  config::Project& project() { return const_cast<config::Project&>(*project_); }

  TempFolder folder_;
  std::shared_ptr<const config::Project> project_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<ActionRegistry> registry_;
  std::shared_ptr<FakeActionHttp> http_;
  FakeActionHttp::Responder responder_;
  RunnerOptions options_;
  std::shared_ptr<BlockingPool> lua_threads_;  // set before make_runner() to run Lua there
  std::unique_ptr<ActionRunner> runner_;
  WebhookRegistration register_webhooks_;  // empty: nango:register_jira_webhooks fails
};

}  // namespace ferry::actions::testing
