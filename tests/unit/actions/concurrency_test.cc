// Runs yield while they wait for HTTP: one thread serves many at once.

#include <gtest/gtest.h>

#include <thread>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;
using testing::json_answer;

class Concurrency : public ActionsFixture {};

TEST_F(Concurrency, AThousandRunsWaitTogetherOnOneThread) {
  constexpr int kRuns = 1000;
  constexpr auto kUpstreamDelay = std::chrono::milliseconds(500);
  http_->set_delay(kUpstreamDelay);
  responder_ = [](const ActionRequest& request) {
    return json_answer(200, {{"echo", request.params.at(0).second}});
  };
  write_action("one-call", R"(return function(nango, input)
    local r = nango:get{ endpoint = "/slow", params = { n = input.n } }
    return { n = tonumber(r.json.echo) }
  end)");

  boost::asio::io_context ioc;  // run by this thread alone
  std::vector<ActionOutcome> outcomes(kRuns);
  int finished = 0;
  const auto thread = std::this_thread::get_id();
  bool same_thread = true;
  for (int i = 0; i < kRuns; ++i) {
    boost::asio::co_spawn(ioc, runner_->run({"jira", "u1"}, "one-call", json{{"n", i}}),
                          [&, i](std::exception_ptr e, ActionOutcome outcome) {
                            if (e) std::rethrow_exception(e);
                            same_thread = same_thread && std::this_thread::get_id() == thread;
                            outcomes[i] = std::move(outcome);
                            ++finished;
                          });
  }
  const auto started = std::chrono::steady_clock::now();
  ioc.run();
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(finished, kRuns);
  EXPECT_TRUE(same_thread);
  for (int i = 0; i < kRuns; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].failure->message;
    EXPECT_EQ(outcomes[i].output, (json{{"n", i}}));
  }
  // Every call was waiting at the same moment, so the whole batch took about one delay,
  // not a thousand (500 s one after another).
  EXPECT_EQ(http_->max_in_flight(), kRuns);
  EXPECT_LT(elapsed, kUpstreamDelay * 20);
}

}  // namespace
}  // namespace ferry::actions
