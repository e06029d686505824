// Asynchronous actions against the real binary (Nango's X-Async): the trigger answers 202
// with an id and a status URL at once, GET /action/{id} answers 404 until the run is done
// and then its output or its error; runs keep their limits and their activity-log entries;
// the result needs the secret key, survives a restart, and is not seen from another
// environment.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "e2e-async-actions-secret-key-0123456789";

class AsyncActions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-async-actions");
    write_file(dir_ + "/integrations.yaml",
               "integrations:\n" + fake_jira_integration("jira", fake_.base_url()));
    write_config("prod");
    std::filesystem::create_directories(dir_ + "/jira");
    write_file(dir_ + "/jira/echo.action.lua",
               "return function(nango, input) return { got = input } end\n");
    write_file(dir_ + "/jira/fail.action.lua",
               "return function() error{ message = 'nope', field = 'summary' } end\n");
    write_file(dir_ + "/jira/loop.action.lua", "return function() while true do end end\n");
    start();
    import_connection(*server_, kSecret, with_issued_tokens(fake_.issue_tokens()));
  }

  void write_config(const std::string& environment) {
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret +
                                         "\naction_cpu_time_ms: 1000\nenvironment: " + environment +
                                         "\n");
  }
  void start() { server_ = std::make_unique<RunningFerry>(dir_); }

  HttpReply trigger_async(const std::string& action, const json& input = nullptr) {
    Headers headers = connection_headers(kSecret, "jira", "user-1");
    headers.emplace_back("X-Async", "true");
    return server_->client().request("POST", "/action/trigger", headers,
                                     json{{"action_name", action}, {"input", input}}.dump());
  }

  // Polls the status URL until it answers something else than "not finished yet".
  HttpReply poll(const std::string& status_url) {
    HttpReply reply;
    for (int i = 0; i < 200; ++i) {
      reply = server_->client().get(status_url, api_headers(kSecret));
      if (reply.status != 404) return reply;
      std::this_thread::sleep_for(50ms);
    }
    return reply;
  }

  Fake fake_;
  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

TEST_F(AsyncActions, TheTriggerAnswersAnIdAndTheStatusUrlAnswersTheOutput) {
  HttpReply accepted = trigger_async("echo", {{"a", 1}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  json body = json::parse(accepted.body);
  const std::string id = body["id"];
  EXPECT_EQ(body["statusUrl"], "/action/" + id);
  EXPECT_EQ(accepted.header("location"), "/action/" + id);

  HttpReply result = poll(body["statusUrl"]);
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(json::parse(result.body), json::parse(R"({"got":{"a":1}})"));
  // Read again: a result is kept, not consumed.
  EXPECT_EQ(server_->client().get("/action/" + id, api_headers(kSecret)).status, 200);
  // The run is in the activity log like a synchronous one.
  // (The activity writer batches: give it a moment.)
  HttpReply logs;
  for (int i = 0; i < 50; ++i) {
    logs = server_->client().get("/logs?integration=jira&limit=50", api_headers(kSecret));
    if (logs.body.find("action echo succeeded") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(logs.body.find("action echo succeeded"), std::string::npos) << logs.body;
}

TEST_F(AsyncActions, AFailedRunAnswersItsError) {
  HttpReply accepted = trigger_async("fail");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  HttpReply result = poll(json::parse(accepted.body)["statusUrl"]);
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(json::parse(result.body),
            json::parse(R"({"error":{"code":"action_failed","message":"nope",
                            "payload":{"message":"nope","field":"summary"}}})"));
}

TEST_F(AsyncActions, ABackgroundRunKeepsItsLimits) {
  HttpReply accepted = trigger_async("loop");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  // The trigger did not wait for the loop: the run is still going.
  const std::string status_url = json::parse(accepted.body)["statusUrl"];
  HttpReply running = server_->client().get(status_url, api_headers(kSecret));
  EXPECT_EQ(running.status, 404);
  EXPECT_NE(running.body.find("has not finished yet"), std::string::npos) << running.body;
  HttpReply result = poll(status_url);
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find("CPU time limit of 1 s"), std::string::npos) << result.body;
}

TEST_F(AsyncActions, RefusedTriggersAndUnknownIdsAnswerErrors) {
  EXPECT_EQ(trigger_async("missing").status, 404);
  Headers retries = connection_headers(kSecret, "jira", "user-1");
  retries.emplace_back("X-Async", "true");
  retries.emplace_back("X-Max-Retries", "3");
  HttpReply refused =
      server_->client().request("POST", "/action/trigger", retries, R"({"action_name":"echo"})");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("X-Max-Retries is not supported"), std::string::npos);

  HttpReply unknown =
      server_->client().get("/action/00000000-0000-4000-8000-000000000000", api_headers(kSecret));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "not_found");
}

TEST_F(AsyncActions, TheResultNeedsTheSecretKey) {
  HttpReply accepted = trigger_async("echo");
  ASSERT_EQ(accepted.status, 202);
  const std::string status_url = json::parse(accepted.body)["statusUrl"];
  ASSERT_EQ(poll(status_url).status, 200);
  EXPECT_EQ(server_->client().get(status_url, {}).status, 401);
  EXPECT_EQ(server_->client().get(status_url, api_headers("not-the-key")).status, 401);
  // So does the asynchronous trigger.
  Headers anonymous = {{"Connection-Id", "user-1"},
                       {"Provider-Config-Key", "jira"},
                       {"X-Async", "true"},
                       {"Content-Type", "application/json"}};
  EXPECT_EQ(server_->client()
                .request("POST", "/action/trigger", anonymous, R"({"action_name":"echo"})")
                .status,
            401);
}

TEST_F(AsyncActions, AResultSurvivesARestartAndStaysInItsEnvironment) {
  HttpReply accepted = trigger_async("echo", "kept");
  ASSERT_EQ(accepted.status, 202);
  const std::string status_url = json::parse(accepted.body)["statusUrl"];
  ASSERT_EQ(poll(status_url).status, 200);

  server_.reset();
  write_config("staging");
  start();
  EXPECT_EQ(server_->client().get(status_url, api_headers(kSecret)).status, 404);

  server_.reset();
  write_config("prod");
  start();
  HttpReply result = server_->client().get(status_url, api_headers(kSecret));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(json::parse(result.body)["got"], "kept");
}

}  // namespace
}  // namespace ferry::testing
