// POST /action/trigger: every answer of the endpoint, from request to response.

#include "ferry/actions/trigger.h"

#include <gtest/gtest.h>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;

class Trigger : public ActionsFixture {
 protected:
  http::Response trigger(const std::string& body, const std::string& connection_id = "u1",
                         const std::string& integration = "jira") {
    http::Request request{http::Verb::post, "/action/trigger", 11};
    if (!connection_id.empty()) request.set("Connection-Id", connection_id);
    if (!integration.empty()) request.set("Provider-Config-Key", integration);
    request.body() = body;
    request.prepare_payload();
    boost::asio::io_context ioc;
    http::Response response;
    boost::asio::co_spawn(ioc, trigger_action(*runner_, nullptr, request),
                          [&](std::exception_ptr, http::Response r) { response = std::move(r); });
    ioc.run();
    return response;
  }
};

TEST_F(Trigger, AnswersTheOutputWithTheExecId) {
  write_action("echo", "return function(nango, input) return { got = input } end");
  http::Response response = trigger(R"({"action_name":"echo","input":{"a":[1]}})");
  EXPECT_EQ(response.result(), http::StatusCode::ok);
  EXPECT_EQ(json::parse(response.body()), json::parse(R"({"got":{"a":[1]}})"));
  EXPECT_EQ(response[kExecIdHeader].size(), 8u);

  http::Response no_input = trigger(R"({"action_name":"echo"})");
  EXPECT_EQ(no_input.result(), http::StatusCode::ok);
  EXPECT_EQ(no_input.body(), "{}");
}

TEST_F(Trigger, FailuresUseTheErrorEnvelope) {
  write_action("fail", "return function() error{ message = 'nope', field = 'summary' } end");
  http::Response response = trigger(R"({"action_name":"fail","input":null})");
  EXPECT_EQ(response.result(), http::StatusCode::internal_server_error);
  EXPECT_EQ(json::parse(response.body()),
            json::parse(R"({"error":{"code":"action_failed","message":"nope",
                            "payload":{"message":"nope","field":"summary"}}})"));
  EXPECT_EQ(response[kExecIdHeader].size(), 8u);

  write_action("crash", "return function() local x = nil; return x.y end");
  json crash = json::parse(trigger(R"({"action_name":"crash"})").body());
  EXPECT_EQ(crash["error"]["code"], "action_failed");
  EXPECT_TRUE(crash["error"]["payload"].is_null());
}

TEST_F(Trigger, BadRequestsGetTheirStatus) {
  write_action("echo", "return function(nango, input) return input end");
  struct Case {
    std::string body;
    std::string connection_id;
    std::string integration;
    http::StatusCode status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{not json", "u1", "jira", http::StatusCode::bad_request, "not valid JSON"},
      {"", "u1", "jira", http::StatusCode::bad_request, "empty"},
      {"[1]", "u1", "jira", http::StatusCode::bad_request, "must be a JSON object"},
      {R"({"input":{}})", "u1", "jira", http::StatusCode::bad_request, "\"action_name\" is required"},
      {R"({"action_name":"echo"})", "", "jira", http::StatusCode::bad_request, "Connection-Id"},
      {R"({"action_name":"echo"})", "u1", "", http::StatusCode::bad_request, "Provider-Config-Key"},
      {R"({"action_name":"missing"})", "u1", "jira", http::StatusCode::not_found, "no action"},
      {R"({"action_name":"echo"})", "ghost", "jira", http::StatusCode::not_found, "ghost"},
      {R"({"action_name":"echo"})", "u1", "asana", http::StatusCode::not_found, "unknown integration"},
  };
  for (const auto& c : cases) {
    http::Response response = trigger(c.body, c.connection_id, c.integration);
    EXPECT_EQ(response.result(), c.status) << c.body;
    json body = json::parse(response.body());
    EXPECT_NE(body["error"]["message"].get<std::string>().find(c.message), std::string::npos)
        << body;
    EXPECT_FALSE(body["error"].contains("payload")) << body;
  }
}

}  // namespace
}  // namespace ferry::actions
