// Native actions registered by an embedding program: the same contract as Lua ones.

#include <gtest/gtest.h>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using testing::ActionsFixture;
using testing::json_answer;

class NativeActions : public ActionsFixture {};

// The example of docs/embedding.md: fetch an issue and return its summary.
net::awaitable<Result<json>> issue_summary(ActionContext& context, const json& input) {
  if (!input.contains("key")) co_return Error{Errc::invalid_argument, "key is required"};
  ActionRequest request;
  request.endpoint = "/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue/" +
                     input["key"].get<std::string>();
  request.params = {{"fields", "summary"}};
  auto response = co_await context.send(std::move(request));
  if (!response) co_return response.error();
  context.log(observe::Level::info, "fetched " + input["key"].get<std::string>());
  json issue = json::parse(response->body);
  co_return json{{"summary", issue["fields"]["summary"]},
                 {"cloud", context.connection_view()["connection_config"]["cloudId"]}};
}

TEST_F(NativeActions, RunWithTheContextOfTheirConnection) {
  ASSERT_TRUE(registry_->register_native("jira", "issue-summary", issue_summary));
  responder_ = [](const ActionRequest&) {
    return json_answer(200, {{"fields", {{"summary", "Fix the build"}}}});
  };
  EXPECT_EQ(output_of("issue-summary", {{"key", "PROJ-7"}}),
            (json{{"summary", "Fix the build"}, {"cloud", "cloud-1"}}));
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].endpoint, "/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue/PROJ-7");
  EXPECT_EQ(http_->keys()[0], (store::ConnectionKey{"jira", "u1"}));

  ActionOutcome failed = run("issue-summary", json::object());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.failure->code, Errc::action_failed);
  EXPECT_EQ(failed.failure->message, "key is required");
}

TEST_F(NativeActions, WinOverAFileOfTheSameNameAndCannotBeRegisteredTwice) {
  write_action("same", "return function() return 'lua' end");
  auto native = [](ActionContext&, const json&) -> net::awaitable<Result<json>> {
    co_return json("native");
  };
  ASSERT_TRUE(registry_->register_native("jira", "same", native));
  EXPECT_EQ(output_of("same"), "native");
  Status again = registry_->register_native("jira", "same", native);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_FALSE(registry_->register_native("jira", "a/b", native));
  EXPECT_EQ(registry_->list(), (std::vector<std::string>{"jira/same"}));
}

TEST_F(NativeActions, ExceptionsFailTheRunOnly) {
  ASSERT_TRUE(registry_->register_native(
      "jira", "throws", [](ActionContext&, const json&) -> net::awaitable<Result<json>> {
        throw std::runtime_error("boom");
        co_return json();
      }));
  ActionOutcome outcome = run("throws");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->message, "the native action threw: boom");
}

}  // namespace
}  // namespace ferry::actions
