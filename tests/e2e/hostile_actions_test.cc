// Hostile actions against the real binary: several at once (a pathological pattern, an
// endless loop, a memory bomb, a finalizer attempt) while /health and /proxy must keep
// answering, and each action must end with its limit error.
#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "e2e-hostile-secret-key-0123456789";

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
    write_file(dir_ + "/integrations.yaml", "integrations:\n" + fake_jira_integration("jira", base));
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret +
                                         "\naction_threads: 2\naction_cpu_time_ms: 2000\n"
                                         "action_memory_bytes: 16777216\n");
    std::filesystem::create_directories(dir_ + "/jira");
    for (const Hostile& hostile : kHostile) {
      write_file(dir_ + "/jira/" + hostile.name + ".action.lua",
                 std::string("return function(nango, input) ") + hostile.body + " end\n");
    }
    server_ = std::make_unique<RunningFerry>(dir_);
    import_connection(*server_, kSecret, with_issued_tokens(fake_.issue_tokens()));
  }

  static Headers for_connection() { return connection_headers(kSecret, "jira", "user-1"); }

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
    auto proxied = client.get(std::string("/proxy/ex/jira/") + kFakeCloudId + "/rest/api/3/myself",
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
