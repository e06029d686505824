#include "ferry/proxy/forwarder.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "fake_exchange.h"

namespace ferry::proxy {
namespace {

namespace net = boost::asio;
using ferry::testing::FakeExchange;
using http::SendFailureKind;

http::OutboundRequest request_to(std::string target, http::Verb method = http::Verb::get) {
  http::OutboundRequest request;
  request.origin = {false, "api.test", 80};
  request.method = method;
  request.target = std::move(target);
  request.host_header = "api.test";
  request.headers.push_back({"Authorization", "Bearer at-1", "integration t's requests.headers"});
  return request;
}

RetryPlan plan_of(int max_attempts) {
  RetryPlan plan;
  plan.policy.max_attempts = max_attempts;
  plan.policy.base_delay = std::chrono::milliseconds(1);
  plan.policy.max_delay = std::chrono::milliseconds(2);
  plan.policy.retry_on = {429, 502, 503, 504};
  plan.random = [] { return 0.0; };
  return plan;
}

// The forwarder's outcome with its response body read whole.
struct Delivered {
  ForwardOutcome outcome;
  std::string body;
};

Delivered forward_once(FakeExchange& exchange, http::OutboundRequest request,
                       http::BodySource& body, const RetryPlan& plan) {
  net::io_context ioc;
  std::optional<Delivered> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        Delivered delivered;
        delivered.outcome = co_await forward(exchange, std::move(request), body, plan);
        if (delivered.outcome.response) {
          delivered.body = *co_await delivered.outcome.response->read_all(1 << 20);
        }
        out = std::move(delivered);
      },
      net::detached);
  ioc.run();
  return std::move(*out);
}

TEST(Forwarder, RetriesATransientAnswerAndDeliversTheNextOne) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int n) {
    return n == 1 ? FakeExchange::answer(503) : FakeExchange::answer(200, R"({"ok":true})");
  });
  http::BufferedBody body;
  auto delivered = forward_once(exchange, request_to("/x"), body, plan_of(3));
  ASSERT_TRUE(delivered.outcome.response);
  EXPECT_EQ(delivered.outcome.response->status(), 200);
  EXPECT_EQ(delivered.body, R"({"ok":true})");
  EXPECT_EQ(delivered.outcome.attempts, 2);
  ASSERT_EQ(delivered.outcome.attempt_log.size(), 2u);
  EXPECT_EQ(delivered.outcome.attempt_log[0].reason, "service_unavailable");
  EXPECT_EQ(exchange.sent().size(), 2u);
}

TEST(Forwarder, AReplayableBodyIsSentWholeOnEveryAttempt) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int n) {
    return n < 3 ? FakeExchange::answer(429) : FakeExchange::answer(201);
  });
  http::BufferedBody body(R"({"fields":{}})");
  auto delivered = forward_once(exchange, request_to("/issue", http::Verb::post), body, plan_of(3));
  ASSERT_TRUE(delivered.outcome.response);
  EXPECT_EQ(delivered.outcome.response->status(), 201);
  for (const auto& sent : exchange.sent()) EXPECT_EQ(sent.body, R"({"fields":{}})");
}

TEST(Forwarder, APostThatMayHaveReachedTheUpstreamIsNotRepeated) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int) {
    return FakeExchange::failing(SendFailureKind::timeout, true, Errc::upstream_timeout,
                                 "upstream api.test did not answer in time");
  });
  http::BufferedBody body("{}");
  auto delivered = forward_once(exchange, request_to("/issue", http::Verb::post), body, plan_of(4));
  ASSERT_TRUE(delivered.outcome.error);
  EXPECT_EQ(delivered.outcome.error->code, Errc::upstream_timeout);
  EXPECT_EQ(exchange.sent().size(), 1u);
  EXPECT_EQ(delivered.outcome.attempt_log.back().reason, "unsafe_method");
}

TEST(Forwarder, ARequestTheExchangeRefusesFailsAtOnceWithItsError) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int) {
    return FakeExchange::failing(SendFailureKind::refused, false, Errc::invalid_argument,
                                 "the upstream request header \"X-Site\" holds a CR");
  });
  http::BufferedBody body;
  auto delivered = forward_once(exchange, request_to("/x"), body, plan_of(5));
  ASSERT_TRUE(delivered.outcome.error);
  EXPECT_EQ(delivered.outcome.error->code, Errc::invalid_argument);
  EXPECT_EQ(delivered.outcome.attempts, 1);
}

TEST(Forwarder, AStaleFirstTryIsLoggedAsAnAttemptOfItsOwn) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int) {
    auto reply = FakeExchange::answer(200);
    reply.stale_first_try = http::SendFailure{
        Error{Errc::upstream_unreachable, "upstream api.test failed while reading the response"},
        SendFailureKind::connection_lost, true};
    return reply;
  });
  http::BufferedBody body;
  auto delivered = forward_once(exchange, request_to("/x"), body, plan_of(1));
  ASSERT_TRUE(delivered.outcome.response);
  ASSERT_EQ(delivered.outcome.attempt_log.size(), 2u);
  EXPECT_EQ(delivered.outcome.attempt_log[0].reason, "stale_connection");
  EXPECT_EQ(delivered.outcome.attempt_log[1].status, 200);
  EXPECT_EQ(delivered.outcome.attempts, 2);
}

TEST(Forwarder, A401GetsOneReauthorizationAndOneMoreTry) {
  FakeExchange exchange([](const http::OutboundRequest& request, const std::string&, int) {
    for (const auto& h : request.headers) {
      if (h.name == "Authorization" && h.value == "Bearer at-2") return FakeExchange::answer(200);
    }
    return FakeExchange::answer(401);
  });
  RetryPlan plan = plan_of(1);
  int reauthorized = 0;
  plan.reauthorize = [&]() -> net::awaitable<Result<http::OutboundRequest>> {
    ++reauthorized;
    auto rebuilt = request_to("/x");
    rebuilt.headers[0].value = "Bearer at-2";
    co_return rebuilt;
  };
  http::BufferedBody body;
  auto delivered = forward_once(exchange, request_to("/x"), body, plan);
  ASSERT_TRUE(delivered.outcome.response);
  EXPECT_EQ(delivered.outcome.response->status(), 200);
  EXPECT_EQ(reauthorized, 1);
  EXPECT_EQ(delivered.outcome.attempt_log[0].reason, "unauthorized");
}

TEST(Forwarder, ExhaustedRetriesDeliverTheLastAnswerMarked) {
  FakeExchange exchange(
      [](const http::OutboundRequest&, const std::string&, int) { return FakeExchange::answer(502); });
  http::BufferedBody body;
  auto delivered = forward_once(exchange, request_to("/x"), body, plan_of(2));
  ASSERT_TRUE(delivered.outcome.response);
  EXPECT_EQ(delivered.outcome.response->status(), 502);
  EXPECT_TRUE(delivered.outcome.retries_exhausted);
  EXPECT_EQ(exchange.sent().size(), 2u);
}

}  // namespace
}  // namespace ferry::proxy
