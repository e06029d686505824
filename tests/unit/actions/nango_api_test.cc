// Every function of the `nango` object, through real runs on a fake ActionHttp.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "actions_test_support.h"
#include "ferry/observe/log.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;
using testing::json_answer;

class NangoApi : public ActionsFixture {};

TEST_F(NangoApi, ReturnsTheActionsOutput) {
  write_action("echo", "return function(nango, input) return { got = input.name } end");
  EXPECT_EQ(output_of("echo", {{"name", "Ada"}}), (json{{"got", "Ada"}}));
}

TEST_F(NangoApi, GetSendsTheRequestAndReturnsTheResponse) {
  responder_ = [](const ActionRequest&) {
    return json_answer(200, {{"key", "PROJ-1"}, {"n", 2}}, {{"X-Request-Id", "r1"}});
  };
  write_action("get", R"(return function(nango, input)
    local r = nango:get{ endpoint = "/rest/api/3/issue/PROJ-1",
                         params = { fields = "summary", expand = { "names", "schema" }, max = 5 },
                         headers = { ["X-Trace"] = "t1" }, retries = 2 }
    return { status = r.status, id = r.headers["x-request-id"], key = r.json.key,
             n = r.json.n, data = r.data }
  end)");
  json output = output_of("get");
  EXPECT_EQ(output["status"], 200);
  EXPECT_EQ(output["id"], "r1");
  EXPECT_EQ(output["key"], "PROJ-1");
  EXPECT_EQ(output["n"], 2);
  EXPECT_EQ(json::parse(output["data"].get<std::string>()), (json{{"key", "PROJ-1"}, {"n", 2}}));

  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].endpoint, "/rest/api/3/issue/PROJ-1");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(requests[0].params, (Pairs{{"expand", "names"}, {"expand", "schema"},
                                       {"fields", "summary"}, {"max", "5"}}));
  EXPECT_EQ(requests[0].headers, (Pairs{{"X-Trace", "t1"}}));
  EXPECT_EQ(requests[0].retries, 2);
  EXPECT_EQ(http_->keys()[0], (store::ConnectionKey{"jira", "u1"}));
}

TEST_F(NangoApi, EachVerbSendsItsMethodAndData) {
  write_action("verbs", R"(return function(nango, input)
    nango:post{ endpoint = "/a", data = { summary = "x", labels = nango.json.array() } }
    nango:put{ endpoint = "/b", data = "raw text", headers = { ["Content-Type"] = "text/plain" } }
    nango:patch{ endpoint = "/c", data = { n = 1 } }
    nango.delete{ endpoint = "/d" }
    return true
  end)");
  EXPECT_EQ(output_of("verbs"), true);
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(json::parse(requests[0].body), json::parse(R"({"summary":"x","labels":[]})"));
  EXPECT_EQ(requests[0].headers,
            (std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}}));
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].body, "raw text");
  EXPECT_EQ(requests[1].headers,
            (std::vector<std::pair<std::string, std::string>>{{"Content-Type", "text/plain"}}));
  EXPECT_EQ(requests[2].method, "PATCH");
  EXPECT_EQ(requests[3].method, "DELETE");
  EXPECT_TRUE(requests[3].body.empty());
}

TEST_F(NangoApi, UpstreamErrorsAreResponsesAndNonJsonBodiesHaveNoJson) {
  responder_ = [](const ActionRequest&) {
    return Result<ActionResponse>(ActionResponse{503, {}, "<html>down</html>"});
  };
  write_action("status", R"(return function(nango)
    local r = nango:get{ endpoint = "/x" }
    return { status = r.status, has_json = r.json ~= nil, data = r.data }
  end)");
  EXPECT_EQ(output_of("status"),
            (json{{"status", 503}, {"has_json", false}, {"data", "<html>down</html>"}}));
}

TEST_F(NangoApi, BadRequestTablesFailWithTheirProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nango:get{}", "endpoint is required"},
      {"nango:get{ endpoint = '/x', param = {} }", "unknown request option \"param\""},
      {"nango:get{ endpoint = '/x', retries = -1 }", "retries must be"},
      {"nango:get{ endpoint = '/x', params = { a = {} } }", "params.a"},
      {"nango:get{ endpoint = '/x', data = { f = print } }", "is not serialisable"},
  };
  for (const auto& [call, expected] : cases) {
    write_action("bad", "return function(nango) " + call + " end");
    EXPECT_NE(failure_of("bad").find(expected), std::string::npos) << call;
  }
  EXPECT_TRUE(http_->requests().empty());
}

TEST_F(NangoApi, ConnectionHasConfigAndMetadataButNoCredentials) {
  write_action("conn", "return function(nango) return nango:connection() end");
  json view = output_of("conn");
  EXPECT_EQ(view["connection_id"], "u1");
  EXPECT_EQ(view["provider_config_key"], "jira");
  EXPECT_EQ(view["connection_config"], (json{{"cloudId", "cloud-1"}}));
  EXPECT_EQ(view["metadata"], (json{{"team", "core"}}));
  EXPECT_FALSE(view.contains("credentials"));
  EXPECT_EQ(view.dump().find("secret-token-value"), std::string::npos);
}

TEST_F(NangoApi, SetMetadataReplacesAndUpdateMetadataMerges) {
  write_action("meta", R"(return function(nango)
    nango:set_metadata{ a = 1, b = "x" }
    local after_set = nango:connection().metadata
    nango:update_metadata{ b = "y", c = true }
    return { after_set = after_set, after_update = nango:connection().metadata }
  end)");
  json output = output_of("meta");
  EXPECT_EQ(output["after_set"], (json{{"a", 1}, {"b", "x"}}));
  EXPECT_EQ(output["after_update"], (json{{"a", 1}, {"b", "y"}, {"c", true}}));
  auto stored = store_->find_connection({"jira", "u1"});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->metadata, (json{{"a", 1}, {"b", "y"}, {"c", true}}));
}

TEST_F(NangoApi, RegisterJiraWebhooksUsesTheServersRegistrationWithTheRunsOwnCalls) {
  write_action("hooks", R"(return function(nango)
    local answer = nango:register_jira_webhooks{
      webhooks = { { events = { "jira:issue_created" }, jqlFilter = "project = PROJ" } } }
    return { id = answer.webhooks[1].id }
  end)");
  EXPECT_NE(failure_of("hooks").find(
                "nango:register_jira_webhooks: this server cannot register webhooks"),
            std::string::npos);

  store::ConnectionKey seen_key;
  json seen_spec;
  register_webhooks_ = [&](const store::ConnectionKey& key,
                           std::function<boost::asio::awaitable<Result<ActionResponse>>(ActionRequest)> send,
                           json spec) -> boost::asio::awaitable<Result<json>> {
    seen_key = key;
    seen_spec = std::move(spec);
    ActionRequest request;
    request.method = "POST";
    request.endpoint = "/rest/api/3/webhook";
    request.body = "{}";
    auto answer = co_await send(std::move(request));
    if (!answer) co_return answer.error();
    json registered = json::object();
    registered["webhooks"] = json::array();
    registered["webhooks"].push_back({{"id", 10000}});
    co_return registered;
  };
  make_runner();
  EXPECT_EQ(output_of("hooks"), (json{{"id", 10000}}));
  EXPECT_EQ(seen_key, (store::ConnectionKey{"jira", "u1"}));
  EXPECT_EQ(seen_spec["webhooks"][0]["jqlFilter"], "project = PROJ");
  // The registration's call went out as the run's own.
  ASSERT_EQ(http_->requests().size(), 1u);
  EXPECT_EQ(http_->requests()[0].endpoint, "/rest/api/3/webhook");
}

TEST_F(NangoApi, ErrorWithATableFailsWithThatPayload) {
  for (const char* raise : {"error{ message = 'no project', code = 42, list = nango.json.array() }",
                            "nango:error{ message = 'no project', code = 42, list = {} }"}) {
    write_action("fail", std::string("return function(nango) ") + raise + " end");
    ActionOutcome outcome = run("fail");
    ASSERT_FALSE(outcome.ok()) << raise;
    EXPECT_EQ(outcome.failure->code, Errc::action_failed);
    EXPECT_EQ(outcome.failure->message, "no project");
    EXPECT_EQ(outcome.failure->payload["code"], 42);
    EXPECT_EQ(outcome.failure->payload["message"], "no project");
  }
  write_action("fail", "return function(nango) error{ reason = 'x' } end");
  ActionOutcome outcome = run("fail");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->message, "the action failed");
  EXPECT_EQ(outcome.failure->payload, (json{{"reason", "x"}}));
}

TEST_F(NangoApi, IdentityFieldsNameTheRun) {
  write_action("who", R"(return function(nango)
    return { nango.connection_id, nango.provider_config_key, nango.action_name, #nango.exec_id }
  end)");
  EXPECT_EQ(output_of("who"), (json{"u1", "jira", "who", 8}));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(NangoApi, LogLinesCarryThePrefixAndHonourTheIntegrationsLevel) {
  const auto log_file = folder_.path() / "ferry.log";
  ASSERT_TRUE(observe::init_logging({observe::Level::error, log_file.string(), false}));
  project().integrations["jira"].log_level = observe::Level::warn;
  write_action("logs", R"(return function(nango)
    nango.log.debug("hidden debug")
    nango.log.info("hidden info")
    nango.log.warn("careful", 42, { a = 1 })
    nango.log.error("broken")
    print("hidden print")
    return 1
  end)");
  EXPECT_EQ(output_of("logs"), 1);
  project().integrations["jira"].log_level.reset();
  project().server.default_action_log_level = observe::Level::debug;
  write_action("logs", "return function(nango) nango.log.debug('shown debug') end");
  EXPECT_TRUE(run("logs").ok());
  ASSERT_TRUE(observe::init_logging({observe::Level::info, "", false}));

  const std::string text = read_file(log_file);
  const std::regex warn_line(
      R"(\S+Z warn \[jira\] \[logs\] \[connection: u1\] \[exec ID: #[0-9a-f]{8}\] careful 42 \{"a":1\})");
  EXPECT_TRUE(std::regex_search(text, warn_line)) << text;
  EXPECT_NE(text.find("error [jira] [logs] [connection: u1] [exec ID: #"), std::string::npos);
  EXPECT_NE(text.find("] broken"), std::string::npos);
  EXPECT_NE(text.find("] shown debug"), std::string::npos);
  EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
}

}  // namespace
}  // namespace ferry::actions
