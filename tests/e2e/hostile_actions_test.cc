// Hostile actions against the real binary: several at once (a pathological pattern, an
// endless loop, a memory bomb, a finalizer attempt) while /health and /proxy must keep
// answering, and each action must end with its limit error.
#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "fake_atlassian_process.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecret = "e2e-hostile-secret-key-0123456789";
constexpr const char* kCloudId = "1324a887-45db-1bf4-1e99-ef0ff456d421";  // the fake's first site

struct Hostile {
  const char* name;
  const char* body;     // the action function's body
  const char* failure;  // what its failure message must contain
};

const Hostile kHostile[] = {
    {"pattern", "return string.rep('a', 200000):find('.-.-.-.-.-.-b')",
     "the action exceeded its CPU time limit of 2 s"},
    {"loop", "while true do end", "the action exceeded its CPU time limit of 2 s"},
    {"bomb", "local t = {} while true do t[#t + 1] = string.rep('x', 4096) .. #t end",
     "the action exceeded its memory limit of 16 MiB"},
    {"gc",
     "local loop = function() while true do end end "
     "pcall(function() nango.json.array_mt.__gc = loop end) "
     "pcall(rawset, nango.json.array_mt, '__gc', loop) "
     "for _ = 1, 10 do nango.json.array() end collectgarbage('collect') "
     "while true do end",
     "the action exceeded its CPU time limit of 2 s"},
};

class HostileActions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ferry-hostile");
    const std::string base = fake_.base_url();
    write_file(dir_ + "/integrations.yaml",
               "integrations:\n"
               "  jira:\n"
               "    extends_blueprint: jira:v0\n"
               "    oauth_client_id: fake-client-id\n"
               "    oauth_client_secret: fake-client-secret\n"
               "    auth:\n"
               "      authorization_url: " + base + "/authorize\n"
               "      token_url: " + base + "/oauth/token\n"
               "    requests:\n"
               "      base_url: " + base + "/\n");
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret +
                                         "\naction_threads: 2\naction_cpu_time_ms: 2000\n"
                                         "action_memory_bytes: 16777216\n");
    std::filesystem::create_directories(dir_ + "/jira");
    for (const Hostile& hostile : kHostile) {
      write_file(dir_ + "/jira/" + hostile.name + ".action.lua",
                 std::string("return function(nango, input) ") + hostile.body + " end\n");
    }
    server_ = std::make_unique<RunningFerry>(dir_);
    const json tokens = fake_.issue_tokens();
    const json body = {{"provider_config_key", "jira"},
                       {"connection_id", "user-1"},
                       {"credentials",
                        {{"type", "OAUTH2"},
                         {"access_token", tokens["access_token"]},
                         {"refresh_token", tokens["refresh_token"]},
                         {"expires_at", "2099-01-01T00:00:00Z"}}},
                       {"connection_config", {{"cloudId", kCloudId}}}};
    auto created = server_->client().request("POST", "/connections", api(), body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }

  static Headers api() {
    return {{"Authorization", std::string("Bearer ") + kSecret},
            {"Content-Type", "application/json"}};
  }
  static Headers for_connection() {
    Headers headers = api();
    headers.emplace_back("Connection-Id", "user-1");
    headers.emplace_back("Provider-Config-Key", "jira");
    return headers;
  }

  Fake fake_;
  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

TEST_F(HostileActions, RunAtOnceWhileHealthAndProxyKeepAnswering) {
  // Twice as many hostile runs as action threads, so some wait for a thread meanwhile.
  std::vector<HttpReply> replies(std::size(kHostile));
  std::atomic<int> finished{0};
  std::vector<std::thread> runs;
  for (std::size_t i = 0; i < std::size(kHostile); ++i) {
    runs.emplace_back([&, i] {
      HttpClient client = server_->client();
      replies[i] = client.request("POST", "/action/trigger", for_connection(),
                                  json{{"action_name", kHostile[i].name}}.dump());
      ++finished;
    });
  }
  // While they run (each takes its 2 s CPU limit, two at a time), the I/O threads answer.
  HttpClient client = server_->client();
  int answered_while_running = 0;
  while (finished.load() < static_cast<int>(std::size(kHostile))) {
    auto health = client.get("/health");
    EXPECT_EQ(health.status, 200) << health.body;
    auto proxied = client.get(std::string("/proxy/ex/jira/") + kCloudId + "/rest/api/3/myself",
                              for_connection());
    EXPECT_EQ(proxied.status, 200) << proxied.body;
    if (finished.load() < static_cast<int>(std::size(kHostile))) ++answered_while_running;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& run : runs) run.join();
  EXPECT_GT(answered_while_running, 0);

  for (std::size_t i = 0; i < std::size(kHostile); ++i) {
    SCOPED_TRACE(kHostile[i].name);
    EXPECT_EQ(replies[i].status, 500) << replies[i].body;
    const json error = json::parse(replies[i].body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << replies[i].body;
    EXPECT_EQ(error["error"]["code"], "action_failed") << replies[i].body;
    EXPECT_NE(error["error"]["message"].get<std::string>().find(kHostile[i].failure),
              std::string::npos)
        << replies[i].body;
  }
  // And the server is still whole afterwards.
  EXPECT_EQ(client.get("/health").status, 200);
}

}  // namespace
}  // namespace ferry::testing
