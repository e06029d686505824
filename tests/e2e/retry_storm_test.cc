// 1,000 concurrent calls through a 429 storm: every call gets through within the retry
// policy, and Ferry keeps answering /health meanwhile (its waits are timers, not threads).
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "concurrent_calls.h"
#include "retry_fixture.h"

namespace ferry::testing {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kCalls = 1000;
constexpr int kRateLimited = 300;  // 429s the fake hands out, one every other request
constexpr int kMaxAttempts = 6;

struct Storm {
  std::vector<int> statuses = std::vector<int>(kCalls, 0);
  int pending = kCalls;
  std::vector<int> health;  // status of each /health probe made during the storm
  std::chrono::steady_clock::duration slowest_health{};
};

net::awaitable<void> one_call(Storm& storm, int index, unsigned short port, std::string target,
                              Headers headers) {
  const int status = co_await get_status(port, std::move(target), std::move(headers), 60s);
  storm.statuses[static_cast<std::size_t>(index)] = status;
  --storm.pending;
}

net::awaitable<void> probe_health(Storm& storm, unsigned short port) {
  net::steady_timer pause(co_await net::this_coro::executor);
  while (storm.pending > 0) {
    const auto started = std::chrono::steady_clock::now();
    const int status = co_await get_status(port, "/health", {}, 10s);
    storm.slowest_health =
        std::max(storm.slowest_health, std::chrono::steady_clock::now() - started);
    storm.health.push_back(status);
    pause.expires_after(100ms);
    boost::system::error_code ec;
    co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

TEST(RetryStorm, ThousandConcurrentCallsGetThroughA429Storm) {
  RetryEnvironment env({{"jira", 10, kMaxAttempts}});
  ASSERT_NE(env.ferry_port(), 0);
  env.connect("jira", "storm");
  const std::string path = std::string("/ex/jira/") + kCloudId + "/rest/api/3/issue/PROJ-12";
  json rules = json::array();
  for (int i = 0; i < kRateLimited; ++i) {
    rules.push_back({{"path_prefix", path}, {"action", "rate_limit"}, {"retry_after", 1}});
    rules.push_back({{"path_prefix", path}, {"action", "delay"}, {"delay_ms", 0}});
  }
  env.fault(rules);
  env.admin("POST", "reset-stats");

  Storm storm;
  net::io_context ioc;
  const Headers headers = RetryEnvironment::proxy_headers("jira", "storm");
  for (int i = 0; i < kCalls; ++i) {
    net::co_spawn(ioc, one_call(storm, i, env.ferry_port(), "/proxy" + path, headers),
                  net::detached);
  }
  net::co_spawn(ioc, probe_health(storm, env.ferry_port()), net::detached);
  ioc.run();

  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(storm.statuses[i], 200) << "call " << i;
  // Health answered throughout (a blocked thread would show up as timeouts here).
  ASSERT_FALSE(storm.health.empty());
  for (int status : storm.health) EXPECT_EQ(status, 200);
  std::printf(
      "health probes: %zu, slowest %lld ms\n", storm.health.size(),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(storm.slowest_health).count()));

  // Every 429 was absorbed by exactly one retry, and no call needed more than the policy.
  EXPECT_TRUE(env.admin("GET", "faults")["faults"].empty());
  EXPECT_EQ(env.hits(path), kCalls + kRateLimited);
  const auto logs = env.proxy_logs("storm", kCalls, 2 * kCalls);
  int proxied = 0;
  int rate_limited_retries = 0;
  for (const auto& entry : logs) {
    ++proxied;
    EXPECT_EQ(entry["status"], 200);
    EXPECT_LE(entry["attempts"].get<int>(), kMaxAttempts);
    for (const auto& attempt : entry["details"]["attempts"]) {
      if (attempt.value("reason", "") == "rate_limited") {
        ++rate_limited_retries;
        EXPECT_GE(attempt["wait_ms"].get<int>(), 1000);
      }
    }
  }
  EXPECT_EQ(proxied, kCalls);
  EXPECT_EQ(rate_limited_retries, kRateLimited);

  // The same count in the metrics of this (fresh) process.
  EXPECT_EQ(env.ferry().get("/metrics").status, 401);
  auto metrics = env.ferry().get("/metrics", RetryEnvironment::secret());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ferry_upstream_retries_total{reason=\"rate_limited\"} " +
                              std::to_string(kRateLimited) + "\n"),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace ferry::testing
