// Asynchronous actions on two `ferry serve` processes sharing one PostgreSQL database: a run
// started through one instance is answered by the other. Needs PostgreSQL
// (FERRY_TEST_POSTGRES_URL) and is skipped without it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fake_atlassian_setup.h"
#include "postgres_databases.h"
#include "scale_out_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using store::testing::kNoPostgres;
using store::testing::postgres_test_url;
using store::testing::TestDatabases;
using namespace std::chrono_literals;

TEST(ScaleOutAsyncActions, ARunStartedOnOneInstanceIsAnsweredByAnother) {
  if (!postgres_test_url()) GTEST_SKIP() << kNoPostgres;
  TestDatabases databases(*postgres_test_url());
  ScaleOutOptions options;
  options.instances = 2;
  ScaleOutCluster cluster(databases.url("ferry"), options);
  ASSERT_FALSE(HasFailure());
  for (int i = 0; i < cluster.size(); ++i) {
    std::filesystem::create_directories(cluster.folder_path(i) + "/jira");
    write_file(cluster.folder_path(i) + "/jira/echo.action.lua",
               "return function(nango, input) return { got = input } end\n");
  }
  import_connection(cluster.instance(0), cluster.secret_key(),
                    with_issued_tokens(cluster.fake().issue_tokens()));

  Headers async_headers = cluster.connection_headers("user-1");
  async_headers.emplace_back("X-Async", "true");
  // Action files are picked up within a second of being written.
  HttpReply accepted;
  for (int i = 0; i < 50; ++i) {
    accepted = cluster.instance(0).client().request("POST", "/action/trigger", async_headers,
                                                    R"({"action_name":"echo","input":7})");
    if (accepted.status != 404) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string status_url = json::parse(accepted.body)["statusUrl"];

  HttpReply result;
  for (int i = 0; i < 100; ++i) {
    result = cluster.instance(1).client().get(status_url, cluster.api_headers());
    if (result.status != 404) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(json::parse(result.body)["got"], 7);
}

}  // namespace
}  // namespace ferry::testing
