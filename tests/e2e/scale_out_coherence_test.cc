// Three `ferry serve` processes on one PostgreSQL database behave as one Ferry: an OAuth
// flow started on one, called back on another, reports to the websocket client of the
// third; a change made through one is seen by the others' caches within milliseconds.
// Skipped without FERRY_TEST_POSTGRES_URL (`.ci/run` starts a server for the tests).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "oauth_fixture.h"
#include "postgres_databases.h"
#include "scale_out_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using oauth::WsClient;

constexpr const char* kPublic = "e2e-scale-public-key-0123456789";
constexpr const char* kMyself =
    "/proxy/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/3/myself";

// Three instances on one database, with a public key for the frontend SDK's requests.
class ScaleOutCoherence : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = store::testing::postgres_test_url();
    if (!server) GTEST_SKIP() << store::testing::kNoPostgres;
    databases_.emplace(*server);
    ScaleOutOptions options;
    options.extra_ferry_yaml = std::string("public_key: ") + kPublic + "\n";
    cluster_ = std::make_unique<ScaleOutCluster>(databases_->url("ferry"), options);
  }

  RunningFerry& instance(int i) { return cluster_->instance(i); }
  Fake& fake() { return cluster_->fake(); }
  Headers api() const { return cluster_->api_headers(); }
  int proxy_status(int i, const std::string& connection_id) {
    return instance(i).client().get(kMyself, cluster_->connection_headers(connection_id)).status;
  }
  // The frontend SDK's connect request for `connection_id`, reporting to `ws_client_id`.
  static std::string connect_target(const std::string& connection_id,
                                    const std::string& ws_client_id) {
    return "/oauth/connect/jira?connection_id=" + connection_id + "&public_key=" + kPublic +
           "&ws_client_id=" + ws_client_id;
  }
  // How long until `condition` holds, polled every millisecond; nullopt after 10 s.
  static std::optional<std::chrono::milliseconds> time_until(
      const std::function<bool()>& condition) {
    const auto start = std::chrono::steady_clock::now();
    while (!condition()) {
      if (std::chrono::steady_clock::now() - start > 10s) return std::nullopt;
      std::this_thread::sleep_for(1ms);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
  }

  // Each instance spreads new client connections over its I/O threads, and each thread
  // caches on its own: `holds` must hold first within 10 s, then on 20 more calls in a row
  // (each a new client connection), so that no thread still serves a stale row.
  static bool settles(const std::function<bool()>& holds) {
    if (!time_until(holds)) return false;
    for (int i = 0; i < 20; ++i) {
      if (!holds()) return false;
    }
    return true;
  }
  // Calls `fn` 20 times on new client connections to instance `i`, so every one of its
  // I/O threads has cached what `fn` reads.
  static void warm(const std::function<void()>& fn) {
    for (int n = 0; n < 20; ++n) fn();
  }

  std::optional<store::testing::TestDatabases> databases_;  // outlives the cluster
  std::unique_ptr<ScaleOutCluster> cluster_;
};

TEST_F(ScaleOutCoherence, ConnectOnOneCallbackOnAnotherWebsocketOnTheThird) {
  WsClient websocket(instance(2).port());
  const json ack = websocket.next();
  ASSERT_EQ(ack.value("message_type", ""), "connection_ack") << ack;
  const std::string ws_client_id = ack["ws_client_id"];

  auto connect = instance(0).client().get(connect_target("user-abc", ws_client_id));
  ASSERT_EQ(connect.status, 302) << connect.body;
  auto consent = fake().client().get(oauth::target_of(connect.header("location")));
  ASSERT_EQ(consent.status, 302) << consent.body;
  auto callback = instance(1).client().get(oauth::target_of(consent.header("location")));
  EXPECT_EQ(callback.status, 200) << callback.body;

  const json result = websocket.next();
  EXPECT_EQ(result.value("message_type", ""), "success") << result;
  EXPECT_EQ(result.value("provider_config_key", ""), "jira");
  EXPECT_EQ(result.value("connection_id", ""), "user-abc");
  // The connection is everybody's, and works through each instance.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(proxy_status(i, "user-abc"), 200) << "instance " << i;
}

TEST_F(ScaleOutCoherence, AFailedCallbackOnAnotherInstanceReachesTheWebsocketToo) {
  WsClient websocket(instance(0).port());
  const std::string ws_client_id = websocket.next()["ws_client_id"];
  auto connect = instance(1).client().get(connect_target("user-denied", ws_client_id));
  ASSERT_EQ(connect.status, 302) << connect.body;
  const std::string state = oauth::query_value(connect.header("location"), "state");
  auto callback = instance(2).client().get("/oauth/callback?error=access_denied&state=" + state +
                                           "&error_description=User%20did%20not%20authorize");
  EXPECT_EQ(callback.status, 400) << callback.body;
  const json result = websocket.next();
  EXPECT_EQ(result.value("message_type", ""), "error") << result;
  EXPECT_EQ(result.value("error_type", ""), "callback_err");
  EXPECT_NE(result.value("error_desc", "").find("access_denied"), std::string::npos) << result;
}

TEST_F(ScaleOutCoherence, ADeletedConnectionIsGoneFromTheOtherInstancesCachesAtOnce) {
  import_connection(instance(0), cluster_->secret_key(), with_issued_tokens(fake().issue_tokens()));
  // Every I/O thread of every instance has it cached now.
  for (int i = 0; i < 3; ++i) {
    warm([&] { ASSERT_EQ(proxy_status(i, "user-1"), 200) << "instance " << i; });
  }

  auto deleted = instance(0).client().request(
      "DELETE", "/connections/user-1?provider_config_key=jira", api());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  for (int i = 1; i < 3; ++i) {
    auto waited = time_until([&] { return proxy_status(i, "user-1") == 404; });
    ASSERT_TRUE(waited) << "instance " << i << " still serves the deleted connection";
    std::printf("instance %d answered 404 after %lld ms\n", i,
                static_cast<long long>(waited->count()));
    EXPECT_TRUE(settles([&] { return proxy_status(i, "user-1") == 404; }))
        << "a thread of instance " << i << " still serves the deleted connection";
    auto read = instance(i).client().get("/connections/user-1?provider_config_key=jira",
                                         api());
    EXPECT_EQ(read.status, 404) << read.body;
  }
}

TEST_F(ScaleOutCoherence, ARefreshOnOneInstanceIsWhatTheOthersCallWith) {
  const json tokens = fake().issue_tokens();
  import_connection(instance(0), cluster_->secret_key(), with_issued_tokens(tokens));
  for (int i = 0; i < 3; ++i) {
    warm([&] { ASSERT_EQ(proxy_status(i, "user-1"), 200) << "instance " << i; });
  }
  auto refreshed = instance(0).client().get(
      "/connections/user-1?provider_config_key=jira&force_refresh=true", api());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  // The provider stops honouring the old access token: an instance still calling with it
  // would be refused (or would renew the tokens a second time).
  fake().admin("POST", "revoke", {{"access_token", tokens["access_token"]}});
  for (int i = 1; i < 3; ++i) {
    EXPECT_TRUE(settles([&] { return proxy_status(i, "user-1") == 200; })) << "instance " << i;
  }
  EXPECT_EQ(fake().refresh_requests(), 1);
}

TEST_F(ScaleOutCoherence, AMetadataChangeOnOneInstanceIsWhatTheOthersActionsRead) {
  import_connection(instance(0), cluster_->secret_key(), with_issued_tokens(fake().issue_tokens()));
  // Actions read the connection from the instance's cache.
  for (int i = 0; i < 3; ++i) {
    std::filesystem::create_directories(cluster_->folder_path(i) + "/jira");
    write_file(cluster_->folder_path(i) + "/jira/plan.action.lua",
               "return function(nango, input)\n"
               "  return {plan = nango:connection().metadata.plan or 'none'}\n"
               "end\n");
  }
  auto plan_on = [&](int i) {
    auto reply = instance(i).client().request(
        "POST", "/action/trigger", cluster_->connection_headers("user-1"),
        json{{"action_name", "plan"}, {"input", json::object()}}.dump());
    if (reply.status != 200) return "status " + std::to_string(reply.status);
    return json::parse(reply.body, nullptr, false).value("plan", "");
  };
  // Loaded (the folders are polled every second), then cached by every thread.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(time_until([&] { return plan_on(i) == "none"; })) << plan_on(i);
    warm([&] { EXPECT_EQ(plan_on(i), "none"); });
  }
  const json metadata = {{"provider_config_key", "jira"},
                         {"connection_id", "user-1"},
                         {"metadata", {{"plan", "enterprise"}}}};
  auto set = instance(2).client().request("POST", "/connections/metadata", api(),
                                          metadata.dump());
  ASSERT_EQ(set.status / 100, 2) << set.body;
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(settles([&] { return plan_on(i) == "enterprise"; })) << "instance " << i;
  }
}

}  // namespace
}  // namespace ferry::testing
