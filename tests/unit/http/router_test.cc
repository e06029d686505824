#include "ferry/http/server/router.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

Handler noop() {
  return [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
    co_return Response{StatusCode::ok, ctx.request.version()};
  };
}

Router make_router() {
  Router router;
  router.add(Verb::get, "/connections/metadata", noop());
  router.add(Verb::get, "/connections/{id}", noop());
  router.add(Verb::delete_, "/connections/{id}", noop());
  router.add(Verb::get, "/proxy/{*endpoint}", noop());
  return router;
}

TEST(Router, MatchesLiteralsBeforeParameters) {
  auto router = make_router();
  auto m = router.match(Verb::get, "/connections/metadata");
  ASSERT_EQ(m.outcome, Router::Outcome::matched);
  EXPECT_TRUE(m.path_params.empty());
}

TEST(Router, DecodesPathParameters) {
  auto router = make_router();
  auto m = router.match(Verb::get, "/connections/user%201?provider_config_key=jira");
  ASSERT_EQ(m.outcome, Router::Outcome::matched);
  EXPECT_EQ(m.path_params.at("id"), "user 1");
}

TEST(Router, CatchAllKeepsTheEncodedRest) {
  auto router = make_router();
  auto m = router.match(Verb::get, "/proxy/ex/jira/abc/rest%2Fx?y=1");
  ASSERT_EQ(m.outcome, Router::Outcome::matched);
  EXPECT_EQ(m.rest, "ex/jira/abc/rest%2Fx");
  EXPECT_EQ(m.path_params.at("endpoint"), "ex/jira/abc/rest/x");
}

TEST(Router, ReportsMethodNotAllowedWithTheAllowedMethods) {
  auto router = make_router();
  auto m = router.match(Verb::post, "/connections/u1");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allowed, (std::vector<Verb>{Verb::get, Verb::delete_}));
}

TEST(Router, ReportsNotFound) {
  auto router = make_router();
  for (const char* target : {"/", "/connections", "/connections/a/b", "/nope"}) {
    EXPECT_EQ(router.match(Verb::get, target).outcome, Router::Outcome::not_found) << target;
  }
}

TEST(Router, ListsItsRoutesInTheOrderTheyWereAdded) {
  auto router = make_router();
  router.add_streaming("/", [](StreamContext&) -> boost::asio::awaitable<std::optional<Response>> {
    co_return std::nullopt;
  });
  const auto routes = router.routes();
  ASSERT_EQ(routes.size(), 5u);
  EXPECT_EQ(routes[0].method, Verb::get);
  EXPECT_EQ(routes[0].pattern, "/connections/metadata");
  EXPECT_EQ(routes[2].method, Verb::delete_);
  EXPECT_EQ(routes[2].pattern, "/connections/{id}");
  EXPECT_EQ(routes[3].pattern, "/proxy/{*endpoint}");
  EXPECT_EQ(routes[4].method, std::nullopt);
  EXPECT_EQ(routes[4].pattern, "/");
}

TEST(ParseQuery, DecodesPercentAndPlusAndKeepsRepeats) {
  auto q = parse_query("/x?a=1&b=hello+world&c=%2Fslash&a=2&flag");
  EXPECT_EQ(q.count("a"), 2u);
  EXPECT_EQ(q.find("b")->second, "hello world");
  EXPECT_EQ(q.find("c")->second, "/slash");
  EXPECT_EQ(q.find("flag")->second, "");
}

}  // namespace
}  // namespace ferry::http
