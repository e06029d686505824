#pragma once

// Shared by the fake-atlassian tests: the fake in-process on port 0 and helpers that walk
// the OAuth flow over real HTTP.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_server.h"
#include "ferry/http/server/router.h"
#include "http_client.h"

namespace ferry::fake_atlassian {

using ferry::testing::url_encode;

inline constexpr const char* kCallback = "http://localhost:3003/oauth/callback";
inline constexpr const char* kSiteA = "1324a887-45db-1bf4-1e99-ef0ff456d421";  // Jira+Confluence
inline constexpr const char* kSiteB = "8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64";  // Jira only
inline constexpr const char* kSiteC = "5d1c7b3e-2f8a-4c69-9e04-7a3b6d2c8f15";  // Jira only
inline constexpr const char* kScopes =
    "read:jira-work write:jira-work read:jira-user read:page:confluence offline_access";

using Headers = std::vector<std::pair<std::string, std::string>>;

struct TokenPair {
  std::string access;
  std::string refresh;
};

class FakeAtlassianTest : public ::testing::Test {
 protected:
  void SetUp() override { start(Options{}); }

  void start(Options options) {
    server_.reset();
    auto started = FakeServer::start(std::move(options));
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }

  testing::HttpReply request(const std::string& method, const std::string& target,
                             const Headers& headers = {}, const std::string& body = "") {
    testing::HttpClient client("127.0.0.1", server_->port());
    return client.request(method, target, headers, body);
  }
  testing::HttpReply get(const std::string& target, const std::string& token = "") {
    Headers headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return request("GET", target, headers);
  }
  testing::HttpReply post_json(const std::string& target, const nlohmann::json& body,
                               const std::string& token = "") {
    Headers headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return request("POST", target, headers, body.dump());
  }
  // Any method with a JSON body (PUT and DELETE of the webhook calls).
  testing::HttpReply send_json(const std::string& method, const std::string& target,
                               const nlohmann::json& body, const std::string& token = "") {
    Headers headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return request(method, target, headers, body.dump());
  }
  nlohmann::json admin(const std::string& method, const std::string& path,
                       const nlohmann::json& body = nlohmann::json::object()) {
    auto reply =
        request(method, "/__admin/" + path, {{"Content-Type", "application/json"}}, body.dump());
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    return nlohmann::json::parse(reply.body);
  }

  // GET /authorize with the usual parameters plus `extra` ("&k=v...").
  testing::HttpReply authorize(const std::string& scope = kScopes, const std::string& extra = "",
                               const std::string& redirect_uri = kCallback) {
    return get("/authorize?audience=api.atlassian.com&client_id=fake-client-id&scope=" +
               url_encode(scope) + "&redirect_uri=" + url_encode(redirect_uri) +
               "&state=st-123&response_type=code&prompt=consent" + extra);
  }
  // The decoded query parameters of a redirect's Location.
  static std::multimap<std::string, std::string> location_query(const testing::HttpReply& r) {
    const std::string location = r.header("location");
    const auto q = location.find('?');
    return http::parse_query(q == std::string::npos ? "/" : "/" + location.substr(q));
  }
  static std::string param(const std::multimap<std::string, std::string>& q,
                           const std::string& name) {
    auto it = q.find(name);
    return it == q.end() ? std::string() : it->second;
  }

  std::string code_for(const std::string& scope = kScopes) {
    auto reply = authorize(scope);
    EXPECT_EQ(reply.status, 302);
    return param(location_query(reply), "code");
  }
  testing::HttpReply exchange(const std::string& code,
                              const std::string& secret = "fake-client-secret") {
    return post_json("/oauth/token", {{"grant_type", "authorization_code"},
                                      {"client_id", "fake-client-id"},
                                      {"client_secret", secret},
                                      {"code", code},
                                      {"redirect_uri", kCallback}});
  }
  testing::HttpReply refresh(const std::string& refresh_token) {
    return post_json("/oauth/token", {{"grant_type", "refresh_token"},
                                      {"client_id", "fake-client-id"},
                                      {"client_secret", "fake-client-secret"},
                                      {"refresh_token", refresh_token}});
  }
  // The whole consent flow: authorize, exchange the code.
  TokenPair connect(const std::string& scope = kScopes) {
    auto reply = exchange(code_for(scope));
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto body = nlohmann::json::parse(reply.body);
    return {body.value("access_token", ""), body.value("refresh_token", "")};
  }

  static std::string jira(const std::string& cloud, const std::string& rest) {
    return "/ex/jira/" + cloud + "/rest/api/3/" + rest;
  }
  // ".../rest/api/{version}/webhook" plus `rest` ("", "/refresh", "?maxResults=2").
  static std::string webhook(const std::string& cloud, const std::string& rest = "",
                             const std::string& version = "3") {
    return "/ex/jira/" + cloud + "/rest/api/" + version + "/webhook" + rest;
  }

  std::unique_ptr<FakeServer> server_;
};

}  // namespace ferry::fake_atlassian
