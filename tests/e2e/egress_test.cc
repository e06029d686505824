// The egress policy end to end (DESIGN.md §3): a Base-Url-Override pointing at loopback in
// any spelling, or at a name that resolves to loopback, is refused with 403 egress_forbidden
// and nothing reaches the upstream; `egress.allow` in ferry.yaml admits it. Hosts the
// operator wrote in integrations.yaml stay trusted.
#include <nlohmann/json.hpp>

#include "ferry_fixture.h"
#include "test_upstream.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecretKey = "egress-secret-key-0123456789abcdef";
constexpr const char* kApiKey = "egress-api-key-0123456789abcdef";

// One Ferry whose ferry.yaml holds `extra`, with an API_KEY integration whose base URL is
// the loopback upstream, and connection u1.
class EgressServer {
 public:
  EgressServer(const TestUpstream& upstream, const std::string& extra) {
    dir_ = make_temp_dir("ferry-egress");
    write_file(dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\n" + extra);
    write_file(dir_ + "/integrations.yaml",
               "integrations:\n"
               "  keyed:\n"
               "    auth:\n"
               "      auth_mode: API_KEY\n"
               "    requests:\n"
               "      base_url: " + upstream.base_url() + "\n"
               "      headers:\n"
               "        x-api-key: ${api_key}\n");
    server_ = std::make_unique<RunningFerry>(dir_);
    const json body = {{"provider_config_key", "keyed"},
                       {"connection_id", "u1"},
                       {"credentials", {{"type", "API_KEY"}, {"api_key", kApiKey}}}};
    auto created = server_->client().request(
        "POST", "/connections",
        {{"Authorization", std::string("Bearer ") + kSecretKey},
         {"Content-Type", "application/json"}},
        body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
  }

  HttpReply proxy(const std::string& endpoint, const std::string& base_override) {
    Headers headers = {{"Authorization", std::string("Bearer ") + kSecretKey},
                       {"Connection-Id", "u1"},
                       {"Provider-Config-Key", "keyed"}};
    if (!base_override.empty()) headers.emplace_back("Base-Url-Override", base_override);
    return server_->client().request("GET", "/proxy/" + endpoint, headers);
  }

 private:
  std::string dir_;
  std::unique_ptr<RunningFerry> server_;
};

class EgressTest : public ::testing::Test {
 protected:
  void SetUp() override { upstream_ = TestUpstream::start(); }

  // Every spelling of the loopback upstream a caller might try.
  std::vector<std::string> loopback_bases() const {
    const std::string port = std::to_string(upstream_->port());
    return {"http://127.0.0.1:" + port,          "http://0.0.0.0:" + port,
            "http://[::ffff:127.0.0.1]:" + port, "http://2130706433:" + port,
            "http://0x7f.1:" + port,             "http://0177.0.0.1:" + port,
            "http://127.1:" + port,              "http://localhost:" + port,
            "https://127.0.0.1:" + port};
  }

  std::unique_ptr<TestUpstream> upstream_;
};

TEST_F(EgressTest, LoopbackOverridesAreForbiddenAndNothingReachesTheUpstream) {
  EgressServer server(*upstream_, "");
  // The operator's own loopback base URL is trusted, and its connection is pooled now: a
  // checked origin must not reuse it.
  ASSERT_EQ(server.proxy("echo/trusted", "").status, 200);
  const std::size_t before = upstream_->count();
  for (const auto& base : loopback_bases()) {
    auto reply = server.proxy("echo/override", base);
    EXPECT_EQ(reply.status, 403) << base << ": " << reply.body;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << base << ": " << reply.body;
    EXPECT_EQ(body["error"]["code"], "egress_forbidden") << base;
    const std::string message = body["error"]["message"];
    EXPECT_NE(message.find("egress"), std::string::npos) << message;
    EXPECT_EQ(reply.body.find(kApiKey), std::string::npos) << reply.body;
  }
  auto reply = server.proxy("echo/override", loopback_bases()[0]);
  const std::string message = json::parse(reply.body)["error"]["message"];
  EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
  EXPECT_NE(message.find("loopback"), std::string::npos) << message;
  EXPECT_EQ(upstream_->count(), before);
}

TEST_F(EgressTest, AHostNameIsJudgedByTheAddressItResolvesTo) {
  EgressServer server(*upstream_, "");
  auto reply =
      server.proxy("echo/override", "http://localhost:" + std::to_string(upstream_->port()));
  EXPECT_EQ(reply.status, 403) << reply.body;
  const std::string message = json::parse(reply.body)["error"]["message"];
  EXPECT_NE(message.find("localhost"), std::string::npos) << message;
  EXPECT_NE(message.find("loopback"), std::string::npos) << message;
  EXPECT_EQ(upstream_->count(), 0u);
}

TEST_F(EgressTest, TheAllowListAdmitsWhatItNames) {
  EgressServer server(*upstream_, "egress:\n  allow: [\"127.0.0.0/8\", \"::1\", \"0.0.0.0/32\"]\n");
  std::size_t expected = 0;
  for (const auto& base : loopback_bases()) {
    if (base.starts_with("https")) continue;  // the upstream speaks plain http
    auto reply = server.proxy("echo/override", base);
    EXPECT_EQ(reply.status, 200) << base << ": " << reply.body;
    EXPECT_EQ(upstream_->count(), ++expected) << base;
  }
}

TEST_F(EgressTest, AnAllowListEntryThatIsNoNetworkOrNameStopsTheStart) {
  const std::string dir = make_temp_dir("ferry-egress-bad");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey +
                                      "\negress:\n  allow: [\"0x7f.1\"]\n");
  write_file(dir + "/integrations.yaml", "integrations: {}\n");
  auto result = ferry({"serve", dir, "--port", "0"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("egress.allow"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace ferry::testing
