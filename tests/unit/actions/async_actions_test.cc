// Asynchronous actions: an X-Async trigger answers 202 with an id and a status URL at once,
// the run goes on through the same runner, and its output or error is stored and answered
// as GET /action/{id} expects; bad headers and unknown actions are refused before anything
// is stored.
#include "ferry/actions/async_actions.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "actions_test_support.h"
#include "ferry/actions/async_result.h"
#include "ferry/actions/async_status.h"
#include "ferry/actions/trigger.h"
#include "ferry/store/row_codec.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using store::AsyncActionState;
using testing::ActionsFixture;
using namespace std::chrono_literals;

class AsyncActionsTrigger : public ActionsFixture {
 protected:
  void SetUp() override {
    ActionsFixture::SetUp();
    // Runs are kept in a store of their own on the test's clock (connections stay in store_).
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    runs_ = std::move(opened).value();
    // The fixture owns the runner; the service borrows it for the test's length.
    std::shared_ptr<ActionRunner> runner(runner_.get(), [](ActionRunner*) {});
    AsyncActionOptions options;
    options.environment = "prod";
    async_ = std::make_shared<AsyncActions>(runner, runs_, nullptr, clock_, options);
  }

  // Triggers with X-Async: true (and `extra` headers) and runs the io_context until the
  // background run has ended too.
  http::Response trigger_async(const std::string& body,
                               std::vector<std::pair<std::string, std::string>> extra = {}) {
    http::Request request{http::Verb::post, "/action/trigger", 11};
    request.set("Connection-Id", "u1");
    request.set("Provider-Config-Key", "jira");
    request.set("X-Async", "true");
    for (const auto& [name, value] : extra) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    boost::asio::io_context ioc;
    http::Response response;
    boost::asio::co_spawn(ioc, trigger_action(*runner_, async_.get(), request),
                          [&](std::exception_ptr e, http::Response r) {
                            if (e) std::rethrow_exception(e);
                            response = std::move(r);
                          });
    ioc.run();
    return response;
  }

  http::Response result_of(const std::string& id) {
    boost::asio::io_context ioc;
    http::Response response;
    boost::asio::co_spawn(ioc, answer_async_action(*async_, id, 11),
                          [&](std::exception_ptr e, http::Response r) {
                            if (e) std::rethrow_exception(e);
                            response = std::move(r);
                          });
    ioc.run();
    return response;
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<store::Store> runs_;
  std::shared_ptr<AsyncActions> async_;
};

TEST_F(AsyncActionsTrigger, AnswersAnIdAtOnceAndStoresTheOutput) {
  write_action("echo", "return function(nango, input) return { got = input } end");
  http::Response accepted = trigger_async(R"({"action_name":"echo","input":{"a":1}})");
  ASSERT_EQ(accepted.result(), http::StatusCode::accepted) << accepted.body();
  json body = json::parse(accepted.body());
  ASSERT_TRUE(body["id"].is_string());
  const std::string id = body["id"];
  EXPECT_EQ(id.size(), 36u);  // a UUID
  EXPECT_EQ(body["statusUrl"], "/action/" + id);
  EXPECT_EQ(body.size(), 2u);
  EXPECT_EQ(accepted[http::bhttp::field::location], "/action/" + id);

  http::Response result = result_of(id);
  EXPECT_EQ(result.result(), http::StatusCode::ok);
  EXPECT_EQ(json::parse(result.body()), json::parse(R"({"got":{"a":1}})"));

  auto row = runs_->find_async_action("prod", id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->key, (store::ConnectionKey{"jira", "u1"}));
  EXPECT_EQ(row->action_name, "echo");
  // The lease covers the run's wall-time limit.
  EXPECT_EQ(row->lease_until,
            store::truncate_millis(clock_->now() + options_.limits.wall_time + 60s));
}

TEST_F(AsyncActionsTrigger, AFailedRunAnswersTheSynchronousErrorEnvelope) {
  write_action("fail", "return function() error{ message = 'nope', field = 'summary' } end");
  http::Response accepted = trigger_async(R"({"action_name":"fail"})");
  ASSERT_EQ(accepted.result(), http::StatusCode::accepted);
  http::Response result = result_of(json::parse(accepted.body())["id"]);
  EXPECT_EQ(result.result(), http::StatusCode::internal_server_error);
  EXPECT_EQ(json::parse(result.body()),
            json::parse(R"({"error":{"code":"action_failed","message":"nope",
                            "payload":{"message":"nope","field":"summary"}}})"));
}

TEST_F(AsyncActionsTrigger, UnknownIdsAndOtherEnvironmentsAreNotFound) {
  write_action("echo", "return function(nango, input) return input end");
  const std::string id = json::parse(trigger_async(R"({"action_name":"echo"})").body())["id"];
  http::Response unknown = result_of("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.result(), http::StatusCode::not_found);
  EXPECT_EQ(json::parse(unknown.body())["error"]["code"], "not_found");

  std::shared_ptr<ActionRunner> runner(runner_.get(), [](ActionRunner*) {});
  AsyncActionOptions dev;
  dev.environment = "dev";
  auto other = std::make_shared<AsyncActions>(runner, runs_, nullptr, clock_, dev);
  async_ = other;
  EXPECT_EQ(result_of(id).result(), http::StatusCode::not_found);
}

TEST_F(AsyncActionsTrigger, RefusedTriggersStoreNothing) {
  write_action("echo", "return function(nango, input) return input end");
  struct Case {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    http::StatusCode status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"action_name":"missing"})", {}, http::StatusCode::not_found, "no action"},
      {R"({"action_name":"echo"})",
       {{"X-Max-Retries", "2"}},
       http::StatusCode::bad_request,
       "X-Max-Retries is not supported"},
      {R"({"action_name":"echo"})", {{"X-Async", "yes"}}, http::StatusCode::bad_request, "X-Async"},
      {R"({"input":{}})", {}, http::StatusCode::bad_request, "action_name"},
  };
  for (const auto& c : cases) {
    http::Response response = trigger_async(c.body, c.headers);
    EXPECT_EQ(response.result(), c.status) << c.body;
    EXPECT_NE(response.body().find(c.message), std::string::npos) << response.body();
  }
  // X-Max-Retries: 0 is what Ferry does anyway.
  EXPECT_EQ(trigger_async(R"({"action_name":"echo"})", {{"X-Max-Retries", "0"}}).result(),
            http::StatusCode::accepted);
}

TEST_F(AsyncActionsTrigger, WithoutTheServiceAnAsynchronousTriggerIsUnavailable) {
  async_.reset();
  write_action("echo", "return function(nango, input) return input end");
  EXPECT_EQ(trigger_async(R"({"action_name":"echo"})").result(),
            http::StatusCode::service_unavailable);
}

TEST_F(AsyncActionsTrigger, MaintenancePrunesRunsPastRetention) {
  write_action("echo", "return function(nango, input) return input end");
  const std::string id = json::parse(trigger_async(R"({"action_name":"echo"})").body())["id"];
  clock_->advance(23h);
  ASSERT_EQ(*async_->prune(), 0u);
  EXPECT_EQ(result_of(id).result(), http::StatusCode::ok);
  clock_->advance(2h);
  ASSERT_EQ(*async_->prune(), 1u);
  EXPECT_EQ(result_of(id).result(), http::StatusCode::not_found);
}

// What is stored for an outcome, and answered for a stored run.
TEST(AsyncResult, AnOutputPastTheBoundIsStoredAsAFailure) {
  ActionOutcome outcome;
  outcome.output = std::string(100, 'x');
  StoredResult small = stored_result(outcome, 1'000);
  EXPECT_EQ(small.state, AsyncActionState::succeeded);
  EXPECT_EQ(small.json, "\"" + std::string(100, 'x') + "\"");

  StoredResult large = stored_result(outcome, 50);
  EXPECT_EQ(large.state, AsyncActionState::failed);
  json error = json::parse(large.json);
  EXPECT_EQ(error["code"], "action_failed");
  EXPECT_NE(error["message"].get<std::string>().find("at most 50 bytes"), std::string::npos);

  ActionOutcome failed;
  failed.failure =
      ActionFailure{Errc::action_failed, "nope", json{{"big", std::string(500, 'y')}}, ""};
  StoredResult bare = stored_result(failed, 300);
  EXPECT_EQ(bare.state, AsyncActionState::failed);
  EXPECT_LE(bare.json.size(), 300u);
  EXPECT_TRUE(json::parse(bare.json)["payload"].is_null());
}

TEST(AsyncResult, ARunningRunAnswersNotFoundSayingItIsNotDone) {
  store::AsyncActionRun run;
  run.id = "r1";
  http::Response running = async_result_response(run, 11);
  EXPECT_EQ(running.result(), http::StatusCode::not_found);
  EXPECT_EQ(json::parse(running.body())["error"]["message"], "action 'r1' has not finished yet");

  run.state = AsyncActionState::failed;
  run.result = store::abandoned_async_action_result();
  http::Response abandoned = async_result_response(run, 11);
  EXPECT_EQ(abandoned.result(), http::StatusCode::internal_server_error);
  EXPECT_EQ(json::parse(abandoned.body())["error"]["code"], "action_failed");

  run.state = AsyncActionState::succeeded;
  run.result = "not json";
  EXPECT_EQ(async_result_response(run, 11).result(), http::StatusCode::internal_server_error);
}

}  // namespace
}  // namespace ferry::actions
