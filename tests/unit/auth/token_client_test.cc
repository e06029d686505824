#include "ferry/auth/oauth2/token_client.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fake_exchange.h"

namespace ferry::auth::oauth2 {
namespace {

namespace net = boost::asio;
using ferry::testing::FakeExchange;
using nlohmann::json;

const TimePoint kNow = TimePoint(FakeClock::kDefaultStart);

config::Integration integration(config::AuthorizationMethod method, config::BodyFormat format) {
  config::Integration i;
  i.key = "jira";
  i.oauth_client_id = "client id";
  i.oauth_client_secret = "s3cret/+";
  i.auth.auth_mode = config::AuthMode::oauth2;
  i.auth.token_url = "https://auth.example.test/oauth/token";
  i.auth.authorization_method = method;
  i.auth.body_format = format;
  return i;
}

Result<TokenGrant> refresh(FakeExchange& exchange, const config::Integration& integration) {
  net::io_context ioc;
  std::optional<Result<TokenGrant>> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        out = co_await refresh_tokens(exchange, integration, "rt-1", kNow);
      },
      net::detached);
  ioc.run();
  return std::move(*out);
}

std::string header(const http::OutboundRequest& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

FakeExchange::Reply rotated(const http::OutboundRequest&, const std::string&, int) {
  return FakeExchange::answer(
      200, R"({"access_token":"at-2","refresh_token":"rt-2","expires_in":3600})");
}

TEST(TokenClient, ARefreshIsOnePostOfTheFormToTheTokenUrl) {
  FakeExchange exchange(rotated);
  auto grant = refresh(exchange, integration(config::AuthorizationMethod::body,
                                             config::BodyFormat::form));
  ASSERT_TRUE(grant) << grant.error().message;
  EXPECT_EQ(grant->access_token, "at-2");
  EXPECT_EQ(grant->refresh_token, "rt-2");
  EXPECT_EQ(grant->expires_at, kNow + std::chrono::hours(1));
  ASSERT_EQ(exchange.sent().size(), 1u);
  const auto all_sent = exchange.sent();
  const auto& sent = all_sent[0];
  EXPECT_EQ(sent.request.method, http::Verb::post);
  EXPECT_EQ(sent.request.origin.host, "auth.example.test");
  EXPECT_TRUE(sent.request.origin.tls);
  EXPECT_EQ(sent.request.target, "/oauth/token");
  EXPECT_EQ(header(sent.request, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(sent.body,
            "client_id=client%20id&client_secret=s3cret%2F%2B&grant_type=refresh_token&"
            "refresh_token=rt-1");
}

TEST(TokenClient, HeaderMethodSendsBasicCredentialsAndJsonBodiesWhenAsked) {
  FakeExchange exchange(rotated);
  auto grant = refresh(exchange, integration(config::AuthorizationMethod::header,
                                             config::BodyFormat::json));
  ASSERT_TRUE(grant) << grant.error().message;
  const auto all_sent = exchange.sent();
  const auto& sent = all_sent[0];
  // base64("client%20id:s3cret%2F%2B"), RFC 6749 §2.3.1.
  EXPECT_EQ(header(sent.request, "Authorization"), "Basic Y2xpZW50JTIwaWQ6czNjcmV0JTJGJTJC");
  EXPECT_EQ(header(sent.request, "Content-Type"), "application/json");
  EXPECT_EQ(json::parse(sent.body),
            (json{{"grant_type", "refresh_token"}, {"refresh_token", "rt-1"}}));
}

TEST(TokenClient, ALostConnectionAfterSendingIsAnErrorNotASecondRequest) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int) {
    return FakeExchange::failing(
        http::SendFailureKind::connection_lost, true, Errc::upstream_unreachable,
        "upstream auth.example.test closed a reused connection before answering; the POST "
        "request may have reached it, so it was not sent again");
  });
  auto grant = refresh(exchange, integration(config::AuthorizationMethod::body,
                                             config::BodyFormat::form));
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error().code, Errc::upstream_unreachable);
  EXPECT_EQ(exchange.sent().size(), 1u);
}

TEST(TokenClient, ProviderRefusalsAreAuthFailuresWithTheProvidersWords) {
  FakeExchange exchange([](const http::OutboundRequest&, const std::string&, int) {
    return FakeExchange::answer(
        400, R"({"error":"invalid_grant","error_description":"Unknown or invalid refresh token."})");
  });
  auto grant = refresh(exchange, integration(config::AuthorizationMethod::body,
                                             config::BodyFormat::form));
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error().code, Errc::upstream_auth_failed);
  EXPECT_NE(grant.error().message.find("invalid_grant: Unknown or invalid refresh token."),
            std::string::npos);
  EXPECT_EQ(grant.error().message.find("s3cret"), std::string::npos);
}


// A provider's expires_in is untrusted: a huge value (1e300) once went through an undefined
// double-to-integer cast. It is clamped to the longest lifetime Ferry believes; negative,
// infinite or non-numeric values are refused.
TEST(TokenClient, ExpiresInIsClampedAndCheckedBeforeAnyArithmetic) {
  struct Case {
    std::string expires_in;  // JSON text
    std::optional<std::chrono::seconds> lifetime;  // none: the response is refused
  };
  const std::vector<Case> cases = {
      {"3600", std::chrono::seconds(3600)},
      {"\"3600\"", std::chrono::seconds(3600)},
      {"1e300", kMaxTokenLifetime},
      {"\"1e300\"", kMaxTokenLifetime},
      {"9223372036854775807", kMaxTokenLifetime},
      {"18446744073709551615", kMaxTokenLifetime},
      {"0", std::chrono::seconds(0)},
      {"-1", std::nullopt},
      {"\"inf\"", std::nullopt},
      {"\"nan\"", std::nullopt},
      {"\"12abc\"", std::nullopt},
      {"true", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expires_in);
    auto grant = parse_token_response(
        200, R"({"access_token":"at","expires_in":)" + c.expires_in + "}", "example.test", kNow);
    if (!c.lifetime) {
      ASSERT_FALSE(grant);
      EXPECT_NE(grant.error().message.find("expires_in"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(grant) << grant.error().message;
    ASSERT_TRUE(grant->expires_at);
    EXPECT_EQ(*grant->expires_at - kNow, *c.lifetime);
  }
}

}  // namespace
}  // namespace ferry::auth::oauth2
