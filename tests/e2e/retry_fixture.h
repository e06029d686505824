#pragma once

// Shared by the retry end-to-end tests: the fake-atlassian binary and a `ferry serve` whose
// integrations point at it, OAuth 2 connections holding tokens the fake issued, and helpers
// for the fake's admin API and Ferry's activity log.
#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {

inline constexpr const char* kRetrySecretKey = "e2e-retry-secret-key-0123456789";
inline constexpr const char* kCloudId = "1324a887-45db-1bf4-1e99-ef0ff456d421";  // fake's "acme"

using Headers = std::vector<std::pair<std::string, std::string>>;

// "2026-03-26T15:00:05Z" or "Thu, 26 Mar 2026 15:00:05 GMT" for now + `ahead`, whole seconds.
inline std::string utc_text(std::chrono::seconds ahead, const char* format) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}
inline std::string iso_in(std::chrono::seconds ahead) {
  return utc_text(ahead, "%Y-%m-%dT%H:%M:%SZ");
}
inline std::string http_date_in(std::chrono::seconds ahead) {
  return utc_text(ahead, "%a, %d %b %Y %H:%M:%S GMT");
}

// One integration of the test project, extending jira:v0 with the fake's URLs.
struct FakeIntegration {
  std::string key;
  int timeout_seconds;
  int max_attempts;
};

class RetryEnvironment {
 public:
  explicit RetryEnvironment(const std::vector<FakeIntegration>& integrations)
      : fake_({FAKE_ATLASSIAN_BINARY, "--port", "0"}) {
    if (!fake_.wait_for_output("fake-atlassian listening on", std::chrono::seconds(30))) {
      ADD_FAILURE() << "fake-atlassian did not start:\n" << fake_.output();
      return;
    }
    static const std::regex re("fake-atlassian listening on http://[^:\\s]+:(\\d+)");
    std::smatch m;
    const std::string out = fake_.output();
    if (!std::regex_search(out, m, re)) {
      ADD_FAILURE() << "no port in: " << out;
      return;
    }
    fake_port_ = static_cast<unsigned short>(std::stoi(m[1]));
    const std::string dir = make_temp_dir("ferry-retry");
    write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kRetrySecretKey + "\n");
    write_file(dir + "/integrations.yaml", integrations_yaml(integrations));
    ferry_ = std::make_unique<RunningFerry>(dir);
  }

  unsigned short fake_port() const { return fake_port_; }
  unsigned short ferry_port() const { return ferry_ ? ferry_->port() : 0; }
  HttpClient ferry() const { return HttpClient("127.0.0.1", ferry_port()); }
  HttpClient fake() const { return HttpClient("127.0.0.1", fake_port_); }

  static Headers secret() { return {{"Authorization", std::string("Bearer ") + kRetrySecretKey}}; }

  // The fake's admin API (JSON in, JSON out).
  nlohmann::json admin(const std::string& method, const std::string& path,
                       const nlohmann::json& body = nlohmann::json::object()) const {
    auto reply = fake().request(method, "/__admin/" + path, {{"Content-Type", "application/json"}},
                                body.dump());
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    return nlohmann::json::parse(reply.body, nullptr, false);
  }
  void fault(const nlohmann::json& rules) const { admin("POST", "faults", rules); }
  // Requests the fake received for `path` (faulted ones included) since the last reset.
  int hits(const std::string& path) const {
    return admin("GET", "stats")["requests_by_path"].value(path, 0);
  }

  // Consents on the fake, then registers the tokens as `connection_id` of `integration`.
  void connect(const std::string& integration, const std::string& connection_id) const {
    const std::string redirect = "http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback";
    auto consent = fake().get(
        "/authorize?client_id=fake-client-id&response_type=code&state=st&redirect_uri=" + redirect +
        "&scope=read%3Ajira-work%20write%3Ajira-work%20read%3Ajira-user%20offline_access");
    ASSERT_EQ(consent.status, 302) << consent.body;
    static const std::regex code_re("[?&]code=([^&]+)");
    std::smatch m;
    const std::string location = consent.header("location");
    ASSERT_TRUE(std::regex_search(location, m, code_re)) << location;
    nlohmann::json exchange = {{"grant_type", "authorization_code"},
                               {"client_id", "fake-client-id"},
                               {"client_secret", "fake-client-secret"},
                               {"code", m[1].str()},
                               {"redirect_uri", "http://localhost:3003/oauth/callback"}};
    auto tokens = fake().request("POST", "/oauth/token", {{"Content-Type", "application/json"}},
                                 exchange.dump());
    ASSERT_EQ(tokens.status, 200) << tokens.body;
    const auto token = nlohmann::json::parse(tokens.body);
    nlohmann::json connection = {{"provider_config_key", integration},
                                 {"connection_id", connection_id},
                                 {"credentials",
                                  {{"type", "OAUTH2"},
                                   {"access_token", token["access_token"]},
                                   {"refresh_token", token["refresh_token"]},
                                   {"expires_at", iso_in(std::chrono::minutes(50))}}},
                                 {"connection_config", {{"cloudId", kCloudId}}}};
    Headers headers = secret();
    headers.emplace_back("Content-Type", "application/json");
    auto created = ferry().request("POST", "/connections", headers, connection.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    access_token_ = token["access_token"].get<std::string>();
  }
  const std::string& last_access_token() const { return access_token_; }

  // The proxy headers for one connection, plus `extra`.
  static Headers proxy_headers(const std::string& integration, const std::string& connection_id,
                               const Headers& extra = {}) {
    Headers headers = secret();
    headers.emplace_back("Connection-Id", connection_id);
    headers.emplace_back("Provider-Config-Key", integration);
    headers.insert(headers.end(), extra.begin(), extra.end());
    return headers;
  }

  // The proxy entries of one connection's activity log, newest first, once there are at
  // least `expected`: Ferry records a call just after its answer went out, so a test that
  // asks at once may be a moment early (gives up after 10 s and returns what there is).
  nlohmann::json proxy_logs(const std::string& connection_id, std::size_t expected = 1,
                            int limit = 100) const {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      auto reply = ferry().get(
          "/logs?connection_id=" + connection_id + "&limit=" + std::to_string(limit), secret());
      EXPECT_EQ(reply.status, 200) << reply.body;
      const auto page = nlohmann::json::parse(reply.body);
      nlohmann::json proxied = nlohmann::json::array();
      for (const auto& entry : page["logs"]) {
        if (entry["type"] == "proxy") proxied.push_back(entry);
      }
      if (proxied.size() >= expected || std::chrono::steady_clock::now() > give_up) {
        return proxied;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  std::string integrations_yaml(const std::vector<FakeIntegration>& integrations) const {
    const std::string base = "http://127.0.0.1:" + std::to_string(fake_port_);
    std::string yaml = "integrations:\n";
    for (const auto& i : integrations) {
      yaml += fake_jira_integration(i.key, base,
                                    "    http_request_timeout_seconds: " +
                                        std::to_string(i.timeout_seconds) +
                                        "\n"
                                        "    retry:\n"
                                        "      max_attempts: " +
                                        std::to_string(i.max_attempts) +
                                        "\n"
                                        "      base_delay_ms: 50\n"
                                        "      max_delay_ms: 400\n");
    }
    return yaml;
  }

  Process fake_;
  unsigned short fake_port_ = 0;
  std::unique_ptr<RunningFerry> ferry_;
  mutable std::string access_token_;
};

}  // namespace ferry::testing
