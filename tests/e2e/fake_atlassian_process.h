#pragma once

// `fake-atlassian` (tools/fake-atlassian) as a child process, for end-to-end tests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "http_client.h"
#include "process.h"

namespace ferry::testing {

// `fake-atlassian --port 0 <args>` for one test.
class Fake {
 public:
  explicit Fake(std::vector<std::string> args = {}) : process_(argv(std::move(args))) {
    if (!process_.wait_for_output("fake-atlassian listening on", std::chrono::seconds(30))) {
      ADD_FAILURE() << "fake-atlassian did not start:\n" << process_.output();
      return;
    }
    std::smatch m;
    const std::string out = process_.output();
    if (std::regex_search(out, m, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) {
      port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }
  }
  unsigned short port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  HttpClient client() const { return HttpClient("127.0.0.1", port_); }
  HttpReply request(const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& body = "") {
    return HttpClient("127.0.0.1", port_).request(method, target, headers, body);
  }
  nlohmann::json admin(const std::string& method, const std::string& path,
                       const nlohmann::json& body = nlohmann::json::object()) {
    auto reply =
        request(method, "/__admin/" + path, {{"Content-Type", "application/json"}}, body.dump());
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    return nlohmann::json::parse(reply.body, nullptr, false);
  }
  // Queues one fault rule on the fake (see its README).
  void fault(const nlohmann::json& rule) { admin("POST", "faults", rule); }
  int refresh_requests() { return admin("GET", "stats")["token_requests"]["refresh_token"]; }

  // Consent (auto-approved) and code exchange, as a browser and a server would do them.
  nlohmann::json issue_tokens() {
    auto consent = request("GET", "/authorize?audience=api.atlassian.com&client_id=fake-client-id"
                                  "&scope=read%3Ajira-work%20read%3Ajira-user%20offline_access"
                                  "&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback"
                                  "&state=e2e&response_type=code&prompt=consent");
    EXPECT_EQ(consent.status, 302) << consent.body;
    std::smatch m;
    const std::string location = consent.header("location");
    EXPECT_TRUE(std::regex_search(location, m, std::regex("[?&]code=([^&]+)"))) << location;
    const nlohmann::json exchange = {{"grant_type", "authorization_code"},
                                     {"client_id", "fake-client-id"},
                           {"client_secret", "fake-client-secret"}, {"code", m[1].str()},
                           {"redirect_uri", "http://localhost:3003/oauth/callback"}};
    auto tokens = request("POST", "/oauth/token", {{"Content-Type", "application/json"}},
                          exchange.dump());
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return nlohmann::json::parse(tokens.body, nullptr, false);
  }

 private:
  static std::vector<std::string> argv(std::vector<std::string> args) {
    args.insert(args.begin(), {FAKE_ATLASSIAN_BINARY, "--port", "0"});
    return args;
  }
  Process process_;
  unsigned short port_ = 0;
};

}  // namespace ferry::testing
