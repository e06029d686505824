// Whatever a caller sends ends up quoted somewhere: a request line, an action's log line, an
// error message. These requests once killed the server (the regex-based redactor recursed
// once per character of a long line) or could forge log lines; now each is logged as one
// redacted line and the server answers the next request.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-log-safety-secret-key-012345";
constexpr const char* kAccessToken = "access-token-LOGSAFE-0123456789";
constexpr const char* kRefreshToken = "refresh-token-LOGSAFE-9876543210";

class LogSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-log-safety");
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret +
                                         "\nmain_server_log_level: http\n"
                                         "default_action_log_level: debug\n"
                                         "log_file: server.log\n");
    // The upstream is never called: these actions only log.
    write_file(dir_ + "/integrations.yaml",
               "integrations:\n"
               "  jira:\n"
               "    extends_blueprint: jira:v0\n"
               "    oauth_client_id: log-safety-client\n"
               "    oauth_client_secret: log-safety-client-secret\n"
               "    requests:\n"
               "      base_url: http://127.0.0.1:9/\n");
    std::filesystem::create_directories(dir_ + "/jira");
    write_file(dir_ + "/jira/shout.action.lua",
               "return function(nango, input)\n"
               "  nango.log.info(input.line)\n"
               "  return {ok = true}\n"
               "end\n");
    server_ = std::make_unique<RunningFerry>(dir_);
    ASSERT_NE(server_->port(), 0);
    OAuthConnectionImport connection;
    connection.access_token = kAccessToken;
    connection.refresh_token = kRefreshToken;
    import_connection(*server_, kSecret, connection);
  }

  static Headers api() { return api_headers(kSecret); }

  HttpReply shout(const std::string& line) {
    return server_->client().request("POST", "/action/trigger",
                                     connection_headers(kSecret, "jira", "user-1"),
                                     json{{"action_name", "shout"}, {"input", {{"line", line}}}}.dump());
  }

  std::string log_text() {
    std::ifstream in(dir_ + "/server.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void expect_alive() {
    EXPECT_EQ(server_->client().get("/health").status, 200);
  }

  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

TEST_F(LogSafety, ALongPublicRequestLineIsLoggedAndTheServerLives) {
  // Just under the 64 KiB header limit, shaped like a secret so the shape rules look at it.
  const std::string path = "/oauth/connect/access_token=" + std::string(60'000, 'a');
  auto reply = server_->client().get(path);
  EXPECT_GE(reply.status, 400);
  expect_alive();
  EXPECT_NE(log_text().find("access_token=[REDACTED]"), std::string::npos);
}

TEST_F(LogSafety, AMegabyteActionLogLineIsRedactedAndTheServerLives) {
  auto reply = shout("Authorization: Bearer " + std::string(1 << 20, 'b'));
  EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 300);
  expect_alive();
  const std::string log = log_text();
  EXPECT_NE(log.find("Authorization: Bearer [REDACTED]"), std::string::npos);
  EXPECT_EQ(log.find(std::string(100, 'b')), std::string::npos);
}

TEST_F(LogSafety, ControlCharactersCannotForgeALogLine) {
  auto reply = shout("first\n2026-01-01T00:00:00.000Z error FORGED\r\x1b[2Jcleared");
  EXPECT_EQ(reply.status, 200) << reply.body;
  const std::string log = log_text();
  EXPECT_NE(log.find("first\\n2026-01-01T00:00:00.000Z error FORGED\\r\\x1b[2Jcleared"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("\nFORGED"), std::string::npos);
  EXPECT_EQ(log.find("\n2026-01-01T00:00:00.000Z error FORGED"), std::string::npos);
}

TEST_F(LogSafety, AHeldConnectionsTokensNeverReachTheLogOrTheActivityLog) {
  // The action runs with the connection loaded: its tokens are registered while held.
  auto reply = shout(std::string("leaking ") + kAccessToken + " and " + kRefreshToken);
  EXPECT_EQ(reply.status, 200) << reply.body;
  const std::string log = log_text();
  EXPECT_NE(log.find("leaking [REDACTED] and [REDACTED]"), std::string::npos) << log;
  EXPECT_EQ(log.find(kAccessToken), std::string::npos);
  EXPECT_EQ(log.find(kRefreshToken), std::string::npos);
  EXPECT_EQ(log.find("log-safety-client-secret"), std::string::npos);
  auto activity = server_->client().get("/logs?limit=1000", api());
  ASSERT_EQ(activity.status, 200);
  EXPECT_EQ(activity.body.find(kAccessToken), std::string::npos);
  EXPECT_EQ(activity.body.find(kRefreshToken), std::string::npos);
}

}  // namespace
}  // namespace ferry::testing
