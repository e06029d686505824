#include "ferry/api/openapi.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fake_exchange.h"
#include "ferry/api/routes.h"
#include "ferry/api/services.h"
#include "ferry/api/websocket.h"
#include "ferry/core/error.h"
#include "ferry/observe/metric_history.h"
#include "ferry/proxy/proxy_dependencies.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// A router with every route register_routes() can add: the optional parts (proxy, OAuth,
// websocket) are switched on by non-null services. No handler runs here.
http::Router full_router() {
  auto services = std::make_shared<Services>();
  services->proxy = std::make_shared<proxy::ProxyDependencies>();
  services->exchange = std::make_shared<testing::FakeExchange>(
      [](const http::OutboundRequest&, const std::string&, int) {
        return testing::FakeExchange::answer(500);
      });
  services->websockets = std::make_shared<WebsocketHub>();
  services->metric_history =
      std::make_shared<observe::MetricHistory>(system_clock(), std::vector<std::string>{});
  http::Router router;
  register_routes(router, services);
  return router;
}

json document() {
  const std::string* text = openapi_document();
  if (text == nullptr) return json();
  return json::parse(*text, nullptr, /*allow_exceptions=*/false);
}

// "/proxy/{*endpoint}" -> "/proxy/{endpoint}": OpenAPI has no catch-all parameter.
std::string openapi_path(std::string pattern) {
  for (auto at = pattern.find("{*"); at != std::string::npos; at = pattern.find("{*")) {
    pattern.erase(at + 1, 1);
  }
  return pattern;
}

std::string method_name(http::Verb verb) {
  std::string name(http::bhttp::to_string(verb));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

TEST(OpenApi, TheDocumentIsOpenApi31Json) {
  const json doc = document();
  ASSERT_TRUE(doc.is_object()) << "the embedded description is missing or not JSON";
  EXPECT_EQ(doc.value("openapi", ""), "3.1.0");
  EXPECT_TRUE(doc["info"].is_object());
  EXPECT_TRUE(doc["paths"].is_object());
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST(OpenApi, TheErrorCodesAreErrcNames) {
  const json doc = document();
  ASSERT_TRUE(doc.is_object());
  const json& codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
                         ["code"]["enum"];
  ASSERT_TRUE(codes.is_array());
  std::size_t count = 0;
  for (int value = static_cast<int>(Errc::invalid_argument);
       value <= static_cast<int>(kLastErrc); ++value, ++count) {
    const std::string name(errc_name(static_cast<Errc>(value)));
    EXPECT_NE(std::find(codes.begin(), codes.end(), name), codes.end()) << name;
  }
  EXPECT_EQ(codes.size(), count);
}

TEST(OpenApi, DescribesEveryRegisteredRoute) {
  const json doc = document();
  ASSERT_TRUE(doc.is_object());
  const json& paths = doc["paths"];
  const auto routes = full_router().routes();
  ASSERT_GT(routes.size(), 20u);
  for (const auto& route : routes) {
    const std::string path = openapi_path(route.pattern);
    ASSERT_TRUE(paths.contains(path)) << path << " is registered but not described";
    if (route.method) {
      EXPECT_TRUE(paths[path].contains(method_name(*route.method)))
          << method_name(*route.method) << " " << path << " is registered but not described";
    } else {
      bool any = false;
      for (const char* method : kMethods) any = any || paths[path].contains(method);
      EXPECT_TRUE(any) << path << " (every method) has no operation";
    }
  }
}

TEST(OpenApi, DescribesOnlyRegisteredRoutesUnlessMarkedPending) {
  const json doc = document();
  ASSERT_TRUE(doc.is_object());
  const auto routes = full_router().routes();
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      bool registered = false;
      for (const auto& route : routes) {
        registered = registered || (openapi_path(route.pattern) == path &&
                                    (!route.method || method_name(*route.method) == method));
      }
      EXPECT_TRUE(registered || item[method].value("x-ferry-pending", false))
          << method << " " << path << " is described but no route serves it";
    }
  }
}

TEST(OpenApi, ServesTheDocumentWithoutAKey) {
  const http::Router router = full_router();
  auto match = router.match(http::Verb::get, "/openapi.json");
  ASSERT_EQ(match.outcome, http::Router::Outcome::matched);
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.guard, nullptr) << "the description is public";

  http::Request request{http::Verb::get, "/openapi.json", 11};
  http::RequestContext ctx{request, {}, {}, {}, "127.0.0.1"};
  boost::asio::io_context io;
  std::optional<http::Response> response;
  boost::asio::co_spawn(io, (*match.handler)(ctx),
                        [&](std::exception_ptr error, http::Response r) {
                          if (!error) response = std::move(r);
                        });
  io.run();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::StatusCode::ok);
  EXPECT_EQ((*response)[http::bhttp::field::content_type], "application/json");
  EXPECT_EQ(response->body(), *openapi_document());
}

}  // namespace
}  // namespace ferry::api
