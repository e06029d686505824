#include "ferry/webhooks/delivery_policy.h"

#include <gtest/gtest.h>

#include "ferry/webhooks/dispatcher.h"

namespace ferry::webhooks {
namespace {

using namespace std::chrono_literals;
using store::OutboxState;

DeliveryResult answered(int status, std::string retry_after = "",
                        std::chrono::milliseconds duration = std::chrono::milliseconds(0)) {
  DeliveryResult result;
  result.status = status;
  result.retry_after = std::move(retry_after);
  result.duration = duration;
  return result;
}

DeliveryResult no_answer(std::string error) {
  DeliveryResult result;
  result.error = std::move(error);
  return result;
}

class DeliveryPolicyTest : public ::testing::Test {
 protected:
  store::OutboxAttempt judge(const DeliveryResult& result, int attempts_before = 0,
                             std::chrono::seconds age = 0s) {
    return judge_attempt(result, attempts_before, now_ - age, now_, policy_, random_);
  }

  TimePoint now_ = TimePoint(std::chrono::seconds(1767225600));
  DeliveryPolicy policy_;
  std::mt19937_64 random_{42};
};

TEST_F(DeliveryPolicyTest, TwoHundredsAreDelivered) {
  for (int status : {200, 201, 204, 299}) {
    auto attempt = judge(answered(status, "", 12ms));
    EXPECT_EQ(attempt.next_state, OutboxState::delivered) << status;
    EXPECT_EQ(attempt.error, "");
    EXPECT_EQ(attempt.duration_ms, 12);
    EXPECT_EQ(attempt.at, now_);
  }
}

TEST_F(DeliveryPolicyTest, NetworkErrorsFiveHundreds408And429AreRetried) {
  for (const DeliveryResult& result : {no_answer("connection refused"), answered(500),
                                       answered(503), answered(408), answered(429)}) {
    auto attempt = judge(result);
    EXPECT_EQ(attempt.next_state, OutboxState::pending) << result.status;
    EXPECT_GE(attempt.retry_at, now_ + 500ms) << result.status;
    EXPECT_LE(attempt.retry_at, now_ + 1s) << result.status;
    EXPECT_FALSE(attempt.error.empty());
  }
  EXPECT_EQ(judge(no_answer("connection refused")).error, "connection refused");
  EXPECT_EQ(judge(answered(503)).error, "the receiver answered 503");
}

TEST_F(DeliveryPolicyTest, OtherAnswersAreDeadAtOnce) {
  for (int status : {100, 301, 400, 401, 404, 410, 422}) {
    auto attempt = judge(answered(status));
    EXPECT_EQ(attempt.next_state, OutboxState::dead) << status;
    EXPECT_NE(attempt.error.find(std::to_string(status)), std::string::npos) << attempt.error;
  }
}

TEST_F(DeliveryPolicyTest, TheBackoffDoublesWithJitterUpToItsCap) {
  for (int before = 0; before < 12; ++before) {
    const auto ceiling = std::min<std::chrono::milliseconds>(1000ms * (1LL << before),
                                                             policy_.max_delay);
    for (int draw = 0; draw < 20; ++draw) {
      auto attempt = judge(answered(503), before);
      EXPECT_GE(attempt.retry_at, now_ + ceiling / 2) << before;
      EXPECT_LE(attempt.retry_at, now_ + ceiling) << before;
    }
  }
}

TEST_F(DeliveryPolicyTest, RetryAfterIsHonouredWhenItAsksForLonger) {
  auto attempt = judge(answered(429, "2"));
  EXPECT_EQ(attempt.next_state, OutboxState::pending);
  EXPECT_EQ(attempt.retry_at, now_ + 2s);
  // Shorter than the backoff: the backoff stands.
  attempt = judge(answered(503, "0"), 3);
  EXPECT_GE(attempt.retry_at, now_ + 4s);
  // An HTTP-date, and nonsense (ignored).
  attempt = judge(answered(503, "Thu, 01 Jan 2026 00:01:00 GMT"));
  EXPECT_EQ(attempt.retry_at, TimePoint(std::chrono::seconds(1767225660)));
  attempt = judge(answered(503, "soon, please"));
  EXPECT_LE(attempt.retry_at, now_ + 1s);
}

TEST_F(DeliveryPolicyTest, AnEventPastItsRetryAgeIsDeadLettered) {
  policy_.max_age = 1h;
  auto attempt = judge(answered(503), 0, 3600s);  // the next try would come after the hour
  EXPECT_EQ(attempt.next_state, OutboxState::dead);
  EXPECT_NE(attempt.error.find("older than the retry limit"), std::string::npos);
  // A receiver asking for a year is not waited for.
  attempt = judge(answered(429, "31536000"));
  EXPECT_EQ(attempt.next_state, OutboxState::dead);
  EXPECT_EQ(judge(answered(503), 0, 10min).next_state, OutboxState::pending);
}

TEST(WebhookSignature, IsNangosHexHmacSha256OfTheRawBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignature, TheLegacyOneIsSha256OfTheKeyThenTheBody) {
  // sha256("keyabc{\"a\":1}"), as `printf 'keyabc{"a":1}' | sha256sum` prints it.
  EXPECT_EQ(legacy_webhook_signature("keyabc", "{\"a\":1}"),
            "448aebc8ce27decae63356a76c0db74b6cb5f4ea69a33b40a5b3a31dd576b557");
}

}  // namespace
}  // namespace ferry::webhooks
