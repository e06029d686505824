#include "ferry/http/client/upstream_engine.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "ferry/http/client/fetch.h"
#include "test_upstream.h"

namespace ferry::http {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using ferry::testing::TestUpstream;

struct Answer {
  int status = 0;  // 0 when the exchange failed
  std::string body;
  std::optional<SendFailure> failure;
  std::optional<SendFailure> stale_first_try;
};

// The test thread plays one I/O thread: the engine pools connections for it.
class UpstreamEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = TestUpstream::start();
    auto engine = UpstreamEngine::create({}, IoWorkers({ioc_.get_executor()}));
    ASSERT_TRUE(engine) << engine.error().message;
    engine_ = *engine;
  }

  // Runs `task` on the test's I/O thread until it ends, whatever else is still pending.
  template <class T>
  T run(net::awaitable<T> task) {
    std::optional<T> out;
    net::co_spawn(
        ioc_, [&]() -> net::awaitable<void> { out.emplace(co_await std::move(task)); },
        [this](std::exception_ptr) { ioc_.stop(); });
    ioc_.restart();
    ioc_.run();
    return std::move(*out);
  }

  OutboundRequest request(Verb method, const std::string& path,
                          std::vector<OutboundHeader> headers = {}) {
    auto out = outbound_request_for(upstream_->base_url() + path.substr(1));
    EXPECT_TRUE(out);
    out->method = method;
    out->headers = std::move(headers);
    out->timeout = std::chrono::seconds(10);
    return *out;
  }

  net::awaitable<Answer> exchange(OutboundRequest request, std::string body) {
    BufferedBody source(std::move(body));
    auto sent = co_await engine_->send(request, source);
    Answer answer;
    answer.stale_first_try = sent.stale_first_try;
    if (!sent) {
      answer.failure = sent.failure;
      co_return answer;
    }
    answer.status = sent.response->status();
    auto whole = co_await sent.response->read_all(1 << 24);
    if (whole) answer.body = std::move(*whole);
    co_return answer;
  }

  Answer send(Verb method, const std::string& path, std::string body = "",
              std::vector<OutboundHeader> headers = {}) {
    return run(exchange(request(method, path, std::move(headers)), std::move(body)));
  }

  // Lets the io_context run for `duration` (idle watches fire meanwhile).
  void idle_for(std::chrono::milliseconds duration) {
    run([duration]() -> net::awaitable<int> {
      net::steady_timer timer(co_await net::this_coro::executor, duration);
      co_await timer.async_wait(net::use_awaitable);
      co_return 0;
    }());
  }

  std::size_t seen(const std::string& target) const {
    std::size_t n = 0;
    for (const auto& r : upstream_->requests()) n += r.target == target;
    return n;
  }

  net::io_context ioc_{1};
  std::unique_ptr<TestUpstream> upstream_;
  std::shared_ptr<UpstreamEngine> engine_;
};

TEST_F(UpstreamEngineTest, KeepAliveConnectionsAreReusedOnTheirThread) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send(Verb::get, "/echo/pooled").status, 200);
  EXPECT_EQ(upstream_->connections_accepted(), 1u);
  EXPECT_EQ(engine_->stats().connects, 1u);
  EXPECT_EQ(engine_->stats().reuses, 4u);
}

TEST_F(UpstreamEngineTest, CallersOffTheIoThreadsGetAConnectionOfTheirOwn) {
  net::io_context elsewhere;
  for (int i = 0; i < 3; ++i) {
    std::optional<Answer> answer;
    net::co_spawn(
        elsewhere,
        [&]() -> net::awaitable<void> {
          answer = co_await exchange(request(Verb::get, "/echo/unpooled"), "");
        },
        net::detached);
    elsewhere.restart();
    elsewhere.run();
    ASSERT_EQ(answer->status, 200);
  }
  EXPECT_EQ(engine_->stats().reuses, 0u);
  EXPECT_EQ(upstream_->connections_accepted(), 3u);
}

TEST_F(UpstreamEngineTest, InterimHeadsAreSkippedAndTheConnectionStaysInStep) {
  auto answer = send(Verb::get, "/interim");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(json::parse(answer.body)["interim"], true);
  auto next = send(Verb::get, "/echo/after");
  ASSERT_EQ(next.status, 200);
  EXPECT_EQ(json::parse(next.body)["target"], "/echo/after");
  EXPECT_EQ(upstream_->connections_accepted(), 1u);
}

TEST_F(UpstreamEngineTest, ACloseDelimitedBodyIsReadWholeAndItsConnectionNeverPooled) {
  auto answer = run([this]() -> net::awaitable<Answer> {
    BufferedBody none;
    auto sent = co_await engine_->send(request(Verb::get, "/close-delimited/300000"), none);
    Answer out;
    if (!sent) co_return out;
    EXPECT_TRUE(sent.response->close_delimited());
    EXPECT_FALSE(sent.response->content_length());
    out.status = sent.response->status();
    out.body = *co_await sent.response->read_all(1 << 24);
    EXPECT_TRUE(sent.response->complete());
    co_return out;
  }());
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body.size(), 300000u);
  ASSERT_EQ(send(Verb::get, "/echo/after").status, 200);
  EXPECT_EQ(engine_->stats().reuses, 0u);
  EXPECT_EQ(upstream_->connections_accepted(), 2u);
}

TEST_F(UpstreamEngineTest, BytesBeyondAResponseKeepItsConnectionOutOfThePool) {
  ASSERT_EQ(json::parse(send(Verb::get, "/extra-bytes").body)["extra"], false);
  auto next = send(Verb::get, "/echo/next");
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(json::parse(next.body)["target"], "/echo/next") << "read the unasked bytes";
  EXPECT_EQ(engine_->stats().reuses, 0u);
}

TEST_F(UpstreamEngineTest, AnUnreadBodyKeepsItsConnectionOutOfThePool) {
  run([this]() -> net::awaitable<int> {
    BufferedBody none;
    auto sent = co_await engine_->send(request(Verb::get, "/bytes/100000"), none);
    EXPECT_TRUE(sent);
    co_return 0;  // dropped unread
  }());
  ASSERT_EQ(send(Verb::get, "/echo/next").status, 200);
  EXPECT_EQ(engine_->stats().reuses, 0u);
}

TEST_F(UpstreamEngineTest, APostIsNeverSentTwiceOnAConnectionTheServerDropped) {
  ASSERT_EQ(send(Verb::get, "/drop-next").status, 200);  // pooled, and dies on its next use
  auto answer = send(Verb::post, "/echo/create", R"({"create":true})",
                     {{"Content-Type", "application/json", kFromFerry}});
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->kind, SendFailureKind::connection_lost);
  EXPECT_TRUE(answer.failure->request_sent);
  EXPECT_EQ(answer.failure->error.code, Errc::upstream_unreachable);
  EXPECT_NE(answer.failure->error.message.find("was not sent again"), std::string::npos)
      << answer.failure->error.message;
  EXPECT_EQ(seen("/echo/create"), 1u);
  EXPECT_EQ(engine_->stats().stale_resends, 0u);
}

TEST_F(UpstreamEngineTest, ATokenRequestThroughFetchIsNeverSentTwiceEither) {
  ASSERT_EQ(send(Verb::get, "/drop-next").status, 200);
  FetchRequest token;
  token.method = Verb::post;
  token.url = upstream_->base_url() + "echo/oauth/token";
  token.body = "grant_type=refresh_token&refresh_token=rt-1";
  auto answer = run(fetch(*engine_, token));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Errc::upstream_unreachable);
  EXPECT_EQ(seen("/echo/oauth/token"), 1u) << "the rotating refresh token was spent once";
}

TEST_F(UpstreamEngineTest, AGetIsSentOnceMoreOnANewConnection) {
  ASSERT_EQ(send(Verb::get, "/drop-next").status, 200);
  auto answer = send(Verb::get, "/echo/again");
  ASSERT_EQ(answer.status, 200);
  ASSERT_TRUE(answer.stale_first_try);
  EXPECT_EQ(answer.stale_first_try->kind, SendFailureKind::connection_lost);
  EXPECT_EQ(seen("/echo/again"), 2u);
  EXPECT_EQ(engine_->stats().stale_resends, 1u);
}

TEST_F(UpstreamEngineTest, AnIdleConnectionTheServerClosedIsFoundBeforeAPostUsesIt) {
  EngineOptions options;
  options.pool.check_after = std::chrono::milliseconds(50);
  auto engine = UpstreamEngine::create(options, IoWorkers({ioc_.get_executor()}));
  ASSERT_TRUE(engine);
  engine_ = *engine;
  ASSERT_EQ(send(Verb::get, "/close-when-idle").status, 200);
  idle_for(std::chrono::milliseconds(400));  // the server closes it after 100 ms idle
  auto answer = send(Verb::post, "/echo/after-idle", "{}");
  EXPECT_EQ(answer.status, 200);
  EXPECT_FALSE(answer.stale_first_try);
  EXPECT_EQ(engine_->stats().evictions, 1u);
  EXPECT_EQ(seen("/echo/after-idle"), 1u);
}

TEST_F(UpstreamEngineTest, HeadersThatCouldSplitTheRequestAreRefusedAndNothingIsSent) {
  struct Case {
    OutboundHeader header;
    const char* named;
  };
  const Case cases[] = {
      {{"X-Site", "acme\r\nX-Injected: 1", "integration jira's requests.headers, with ${metadata.site}"},
       "\"X-Site\""},
      {{"X-Site", "acme\nX-Injected: 1", kFromCaller}, "\"X-Site\""},
      {{"X-Site", "acme\rX", kFromCaller}, "\"X-Site\""},
      {{"Authorization", std::string("Bearer a\0b", 10), "the connection's access token"},
       "\"Authorization\""},
      {{"X Bad", "v", kFromCaller}, "not a valid header name"},
      {{"X-Bad\r\nInjected", "v", kFromCaller}, "not a valid header name"},
      {{"", "v", kFromCaller}, "not a valid header name"},
  };
  for (const auto& c : cases) {
    auto answer = send(Verb::get, "/echo/refused", "", {c.header});
    ASSERT_TRUE(answer.failure) << c.named;
    EXPECT_EQ(answer.failure->kind, SendFailureKind::refused);
    EXPECT_FALSE(answer.failure->request_sent);
    EXPECT_EQ(answer.failure->error.code, Errc::invalid_argument);
    const std::string& message = answer.failure->error.message;
    EXPECT_NE(message.find(c.named), std::string::npos) << message;
    EXPECT_NE(message.find(c.header.source), std::string::npos) << message;
    EXPECT_EQ(message.find("Injected"), std::string::npos) << "echoes the value: " << message;
  }
  EXPECT_EQ(upstream_->count(), 0u);
  EXPECT_EQ(upstream_->connections_accepted(), 0u) << "refused before connecting";
}

TEST_F(UpstreamEngineTest, ARequestLineThatCouldBeSplitIsRefused) {
  auto bad_target = request(Verb::get, "/echo/x");
  bad_target.target = "/echo/x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /";
  auto answer = run(exchange(bad_target, ""));
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->kind, SendFailureKind::refused);
  auto bad_method = request(Verb::unknown, "/echo/x");
  bad_method.method_name = "GET /x HTTP/1.1\r\n";
  answer = run(exchange(bad_method, ""));
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->kind, SendFailureKind::refused);
  EXPECT_EQ(upstream_->count(), 0u);
}

TEST_F(UpstreamEngineTest, TransportFailuresSayWhatAndWhere) {
  auto refused = outbound_request_for("http://127.0.0.1:1/x");
  ASSERT_TRUE(refused);
  refused->timeout = std::chrono::seconds(5);
  auto answer = run(exchange(*refused, ""));
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->kind, SendFailureKind::connect_failed);
  EXPECT_FALSE(answer.failure->request_sent);
  EXPECT_NE(answer.failure->error.message.find("127.0.0.1"), std::string::npos);

  auto slow = request(Verb::get, "/slow/2000");
  slow.timeout = std::chrono::milliseconds(200);
  answer = run(exchange(slow, ""));
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->kind, SendFailureKind::timeout);
  EXPECT_EQ(answer.failure->error.code, Errc::upstream_timeout);
  EXPECT_TRUE(answer.failure->request_sent);
}

// An origin a request chose (a Base-Url-Override) is judged after resolution: every
// spelling of loopback is refused before any connection is made.
TEST_F(UpstreamEngineTest, AnEgressCheckedOriginIsJudgedAfterResolutionAndNothingIsSent) {
  const std::string port = std::to_string(upstream_->port());
  for (std::string host : {"127.0.0.1", "localhost", "2130706433", "0x7f.1", "127.1", "[::1]",
                           "0.0.0.0", "[::ffff:127.0.0.1]"}) {
    auto checked = outbound_request_for("http://" + host + ":" + port + "/echo/x");
    ASSERT_TRUE(checked) << host;
    checked->origin.egress_checked = true;
    checked->timeout = std::chrono::seconds(5);
    auto answer = run(exchange(*checked, ""));
    ASSERT_TRUE(answer.failure) << host;
    EXPECT_EQ(answer.failure->kind, SendFailureKind::refused) << host;
    EXPECT_EQ(answer.failure->error.code, Errc::egress_forbidden) << host;
    EXPECT_FALSE(answer.failure->request_sent);
    EXPECT_NE(answer.failure->error.message.find("egress"), std::string::npos);
  }
  EXPECT_EQ(upstream_->connections_accepted(), 0u);
  EXPECT_EQ(engine_->stats().connects, 0u);
}

TEST_F(UpstreamEngineTest, ACheckedOriginNeverReusesAConnectionOpenedWithoutTheCheck) {
  ASSERT_EQ(send(Verb::get, "/echo/trusted").status, 200);
  ASSERT_EQ(upstream_->connections_accepted(), 1u);
  auto checked = request(Verb::get, "/echo/checked");
  checked.origin.egress_checked = true;
  auto answer = run(exchange(checked, ""));
  ASSERT_TRUE(answer.failure);
  EXPECT_EQ(answer.failure->error.code, Errc::egress_forbidden);
  EXPECT_EQ(seen("/echo/checked"), 0u);
  EXPECT_EQ(engine_->stats().reuses, 0u);
}

TEST_F(UpstreamEngineTest, TheAllowListAdmitsCheckedOriginsOnConnectionsOfTheirOwn) {
  auto policy = EgressPolicy::make({"127.0.0.0/8"});
  ASSERT_TRUE(policy);
  EngineOptions options;
  options.connector.egress = *policy;
  auto engine = UpstreamEngine::create(std::move(options), IoWorkers({ioc_.get_executor()}));
  ASSERT_TRUE(engine);
  engine_ = *engine;
  ASSERT_EQ(send(Verb::get, "/echo/trusted").status, 200);
  const std::string port = std::to_string(upstream_->port());
  for (std::string host : {"127.0.0.1", "2130706433", "localhost"}) {
    auto checked = outbound_request_for("http://" + host + ":" + port + "/echo/checked");
    ASSERT_TRUE(checked);
    checked->origin.egress_checked = true;
    checked->timeout = std::chrono::seconds(5);
    auto answer = run(exchange(*checked, ""));
    EXPECT_EQ(answer.status, 200) << host << ": "
                                  << (answer.failure ? answer.failure->error.message : "");
  }
  EXPECT_EQ(seen("/echo/checked"), 3u);
  // The trusted origin's pooled connection went to none of them; the two 127.0.0.1
  // origins kept apart by the flag each have their own.
  EXPECT_GE(upstream_->connections_accepted(), 2u);
  ASSERT_EQ(send(Verb::get, "/echo/trusted").status, 200);
  EXPECT_GE(engine_->stats().reuses, 1u);
}

}  // namespace
}  // namespace ferry::http
