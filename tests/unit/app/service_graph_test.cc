#include "ferry/app/service_graph.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "ferry/actions/action_registry.h"
#include "ferry/api/services.h"
#include "ferry/config/loader.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/http/server/router.h"
#include "ferry/observe/metric_history.h"
#include "ferry/store/open_store.h"
#include "temp_folder.h"

namespace ferry::app {
namespace {

using http::Router;
using http::Verb;

constexpr const char* kIntegrations = R"(integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: the-client-id
    oauth_client_secret: the-client-secret
)";

class ServiceGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_.write("integrations.yaml", kIntegrations);
    folder_.write("jira/echo.action.lua", "return function(nango, input) return input end\n");
  }

  std::shared_ptr<const config::Project> load() {
    auto loaded = config::load_project(folder_.path(), config::Environment::from_map({}));
    EXPECT_TRUE(loaded) << loaded.error().message;
    return std::make_shared<const config::Project>(std::move(loaded).value());
  }

  Result<ServiceGraph> build(std::shared_ptr<const config::Project> project,
                             std::shared_ptr<actions::ActionRegistry> registry = nullptr) {
    auto database = store::open_store("sqlite://:memory:", "");
    EXPECT_TRUE(database) << database.error().message;
    return build_service_graph({.project = std::move(project),
                                .database = std::move(database).value(),
                                .workers = IoWorkers({io_.get_executor()}),
                                .blocking = blocking_,
                                .outbound_proxy = {},
                                .action_registry = std::move(registry)});
  }

  ferry::testing::TempFolder folder_;
  boost::asio::io_context io_;
  std::shared_ptr<BlockingPool> blocking_ = std::make_shared<BlockingPool>(1);
};

Router::Outcome outcome(const Router& router, Verb method, std::string_view target) {
  return router.match(method, target).outcome;
}

TEST_F(ServiceGraphTest, WiresEveryPartAndRegistersEveryRoute) {
  auto graph = build(load());
  ASSERT_TRUE(graph) << graph.error().message;
  const api::Services& services = *graph->services;
  EXPECT_NE(services.store, nullptr);
  EXPECT_NE(services.credentials, nullptr);
  EXPECT_NE(services.activity, nullptr);
  EXPECT_NE(services.proxy, nullptr);
  EXPECT_NE(services.actions, nullptr);
  EXPECT_NE(services.websockets, nullptr);
  EXPECT_EQ(services.exchange.get(), static_cast<http::Exchange*>(graph->engine.get()));

  // The routes that need the exchange and the websockets are there too.
  const Router& router = *graph->router;
  EXPECT_EQ(outcome(router, Verb::get, "/health"), Router::Outcome::matched);
  EXPECT_EQ(outcome(router, Verb::get, "/connections"), Router::Outcome::matched);
  EXPECT_EQ(outcome(router, Verb::post, "/action/trigger"), Router::Outcome::matched);
  EXPECT_EQ(outcome(router, Verb::get, "/proxy/rest/api/3/myself"), Router::Outcome::matched);
  EXPECT_EQ(outcome(router, Verb::get, "/oauth/connect/jira"), Router::Outcome::matched);
  EXPECT_EQ(outcome(router, Verb::get, "/dashboard/api/overview"), Router::Outcome::matched);
  ASSERT_NE(graph->metric_history, nullptr);
  EXPECT_EQ(services.metric_history, graph->metric_history);
  // The history lists every configured integration from the start.
  EXPECT_TRUE(graph->metric_history->to_json()["integrations"].contains("jira"));
  EXPECT_EQ(outcome(router, Verb::get, "/oauth/callback"), Router::Outcome::matched);
}

TEST_F(ServiceGraphTest, ReadsTheFoldersActionsIntoAFreshRegistry) {
  auto graph = build(load());
  ASSERT_TRUE(graph) << graph.error().message;
  EXPECT_EQ(graph->action_registry->list(), std::vector<std::string>{"jira/echo"});
}

TEST_F(ServiceGraphTest, AGivenRegistryKeepsItsNativeActionsAndGainsTheFoldersFiles) {
  auto registry = std::make_shared<actions::ActionRegistry>(folder_.path());
  ASSERT_TRUE(registry->register_native(
      "jira", "native-one", [](actions::ActionContext&, const nlohmann::json& input)
                                -> boost::asio::awaitable<Result<nlohmann::json>> {
        co_return input;
      }));
  auto graph = build(load(), registry);
  ASSERT_TRUE(graph) << graph.error().message;
  EXPECT_EQ(graph->action_registry, registry);
  EXPECT_EQ(registry->list(), (std::vector<std::string>{"jira/echo", "jira/native-one"}));
}

TEST_F(ServiceGraphTest, AnUnusableEgressAllowListIsAnErrorNamingTheEntry) {
  auto project = std::make_shared<config::Project>(*load());
  project->server.egress_allow = {"10.0.0.0/99"};
  auto graph = build(project);
  ASSERT_FALSE(graph);
  EXPECT_NE(graph.error().message.find("10.0.0.0/99"), std::string::npos)
      << graph.error().message;
}

}  // namespace
}  // namespace ferry::app
