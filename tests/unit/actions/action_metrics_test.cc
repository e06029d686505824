// How action runs are counted in /metrics: by integration and outcome, with the limit that
// stopped a run.
#include <gtest/gtest.h>

#include "actions_test_support.h"
#include "ferry/observe/ferry_metrics.h"

namespace ferry::actions {
namespace {

class ActionMetrics : public testing::ActionsFixture {};

std::uint64_t runs(std::string_view integration, observe::ActionRunOutcome outcome) {
  return observe::integration_metrics(integration)
      .action_runs[static_cast<std::size_t>(outcome)]
      ->value();
}

TEST_F(ActionMetrics, CountsRunsByOutcomeAndLimitKillsByLimit) {
  options_.limits.cpu_time = std::chrono::milliseconds(200);
  options_.limits.memory_bytes = 8 * 1024 * 1024;
  make_runner();
  using observe::ActionRunOutcome;
  const auto success = runs("confluence", ActionRunOutcome::success);
  const auto error = runs("confluence", ActionRunOutcome::error);
  const auto killed = runs("confluence", ActionRunOutcome::limit_killed);
  const auto cpu = observe::action_limit_kills("cpu_time").value();
  const auto memory = observe::action_limit_kills("memory").value();
  const auto timed = observe::integration_metrics("confluence").action_duration->snapshot().count();

  write_action("ok", "return function() return 1 end", "confluence");
  write_action("fails", "return function() error({message = 'no'}) end", "confluence");
  write_action("loop", "return function() while true do end end", "confluence");
  write_action("bomb", "return function() return string.rep('ab', 1 << 29) end", "confluence");
  EXPECT_TRUE(run("ok", nullptr, "confluence").ok());
  EXPECT_EQ(run("fails", nullptr, "confluence").failure->limit, "");
  EXPECT_EQ(run("loop", nullptr, "confluence").failure->limit, "cpu_time");
  EXPECT_EQ(run("bomb", nullptr, "confluence").failure->limit, "memory");
  // Refused before running: not counted.
  EXPECT_FALSE(run("missing", nullptr, "confluence").ok());

  EXPECT_EQ(runs("confluence", ActionRunOutcome::success), success + 1);
  EXPECT_EQ(runs("confluence", ActionRunOutcome::error), error + 1);
  EXPECT_EQ(runs("confluence", ActionRunOutcome::limit_killed), killed + 2);
  EXPECT_EQ(observe::action_limit_kills("cpu_time").value(), cpu + 1);
  EXPECT_EQ(observe::action_limit_kills("memory").value(), memory + 1);
  EXPECT_EQ(observe::integration_metrics("confluence").action_duration->snapshot().count(),
            timed + 4);
}

}  // namespace
}  // namespace ferry::actions
