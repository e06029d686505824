#include "ferry/proxy/quota_pauses.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::proxy {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

const Steady::time_point kStart = Steady::time_point(1000h);
const QuotaKey kUserA{"jira", "user-a", "api.atlassian.com"};

TEST(QuotaPauses, HoldsAKeyBackUntilItsReset) {
  QuotaPauses never_paused;
  EXPECT_EQ(never_paused.remaining(kUserA, kStart), 0ms);
  struct Case {
    Steady::duration at;
    std::chrono::milliseconds remaining;
  };
  const Case cases[] = {{0s, 2s}, {500ms, 1500ms}, {1999ms, 1ms}, {1999500us, 1ms}, {2s, 0ms}};
  for (const auto& c : cases) {
    // remaining() drops expired entries, so ask in time order on a fresh copy each time.
    QuotaPauses fresh;
    fresh.pause(kUserA, kStart, 2s);
    EXPECT_EQ(fresh.remaining(kUserA, kStart + c.at), c.remaining) << c.at.count();
  }
}

TEST(QuotaPauses, KeepsTheLatestResetAndSeparatesKeys) {
  QuotaPauses pauses;
  pauses.pause(kUserA, kStart, 5s);
  pauses.pause(kUserA, kStart + 1s, 1s);  // ends earlier: ignored
  EXPECT_EQ(pauses.remaining(kUserA, kStart), 5s);
  pauses.pause(kUserA, kStart, 9s);  // ends later: extends
  EXPECT_EQ(pauses.remaining(kUserA, kStart), 9s);

  const QuotaKey other_connection{"jira", "user-b", "api.atlassian.com"};
  const QuotaKey other_integration{"confluence", "user-a", "api.atlassian.com"};
  const QuotaKey other_host{"jira", "user-a", "auth.atlassian.com"};
  for (const auto& key : {other_connection, other_integration, other_host}) {
    EXPECT_EQ(pauses.remaining(key, kStart), 0ms) << key.connection_id << " " << key.host;
  }
}

TEST(QuotaPauses, ForgetsExpiredPauses) {
  QuotaPauses pauses;
  pauses.pause(kUserA, kStart, 1s);
  EXPECT_EQ(pauses.remaining(kUserA, kStart + 2s), 0ms);
  EXPECT_EQ(pauses.size(), 0u);

  // Many connections, each paused briefly once: later insertions sweep the dead ones.
  for (int i = 0; i < 5000; ++i) {
    pauses.pause(QuotaKey{"jira", "user-" + std::to_string(i), "h"}, kStart + i * 1s, 500ms);
  }
  EXPECT_LT(pauses.size(), 2100u);
  EXPECT_EQ(pauses.remaining(QuotaKey{"jira", "user-4999", "h"}, kStart + 4999s), 500ms);
}

}  // namespace
}  // namespace ferry::proxy
