#include "ferry/api/metrics.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>

#include "ferry/observe/ferry_metrics.h"

namespace ferry::api {
namespace {

constexpr const char* kSecret = "metrics-route-secret-key-0123456789";

// A router holding only GET /metrics, for a project whose ferry.yaml says `auth`.
http::Router metrics_router(config::MetricsAuth auth) {
  auto project = std::make_shared<config::Project>();
  project->server.secret_key = kSecret;
  project->server.metrics_auth = auth;
  auto services = std::make_shared<Services>();
  services->project = project;
  http::Router router;
  register_metrics(router, services);
  return router;
}

http::bhttp::request_header<> header(std::string_view authorization) {
  http::bhttp::request_header<> h;
  h.method(http::Verb::get);
  h.target("/metrics");
  if (!authorization.empty()) h.set(http::bhttp::field::authorization, authorization);
  return h;
}

// The body GET /metrics answers with, running its handler to completion.
std::optional<std::string> scrape(const http::Router::Match& match) {
  http::Request request{http::Verb::get, "/metrics", 11};
  http::RequestContext ctx{request, {}, {}, {}, "127.0.0.1"};
  boost::asio::io_context io;
  std::optional<std::string> body;
  boost::asio::co_spawn(io, (*match.handler)(ctx), [&](std::exception_ptr error, http::Response r) {
    if (!error && r.result() == http::StatusCode::ok) body = r.body();
  });
  io.run();
  return body;
}

TEST(MetricsRoute, NeedsTheSecretKeyByDefault) {
  EXPECT_EQ(config::ServerConfig{}.metrics_auth, config::MetricsAuth::secret_key);
  const http::Router router = metrics_router(config::MetricsAuth::secret_key);
  auto match = router.match(http::Verb::get, "/metrics");
  ASSERT_EQ(match.outcome, http::Router::Outcome::matched);
  ASSERT_NE(match.guard, nullptr) << "the default keeps /metrics behind the secret key";
  Status anonymous = (*match.guard)(header(""));
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, Errc::unauthorized);
  EXPECT_FALSE((*match.guard)(header("Bearer not-the-key")));
  EXPECT_TRUE((*match.guard)(header(std::string("Bearer ") + kSecret)));
}

TEST(MetricsRoute, MetricsAuthNoneServesWithoutCredentials) {
  observe::register_ferry_metrics({});
  const http::Router router = metrics_router(config::MetricsAuth::none);
  auto match = router.match(http::Verb::get, "/metrics");
  ASSERT_EQ(match.outcome, http::Router::Outcome::matched);
  EXPECT_EQ(match.guard, nullptr) << "metrics_auth: none needs no credentials";
  ASSERT_NE(match.handler, nullptr);
  auto body = scrape(match);
  ASSERT_TRUE(body.has_value());
  EXPECT_NE(body->find("# TYPE ferry_upstream_attempts_total counter\n"), std::string::npos)
      << *body;
}

}  // namespace
}  // namespace ferry::api
