#include "ferry/observe/redact.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ferry/observe/log.h"

namespace ferry::observe {
namespace {

TEST(Redact, MasksRegisteredSecretsAndKnownShapes) {
  register_secret("client-secret-xyz");
  struct Case {
    std::string input;
    std::string must_not_contain;
  };
  const Case cases[] = {
      {"sent client-secret-xyz to the provider", "client-secret-xyz"},
      {"Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi"},
      {"authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"},
      {R"({"access_token":"tok-123456","expires_in":3600})", "tok-123456"},
      {R"({"refresh_token" : "ref-98765"})", "ref-98765"},
      {"grant_type=refresh_token&refresh_token=ref-abc&client_secret=cs-1", "ref-abc"},
      {"grant_type=refresh_token&refresh_token=ref-abc&client_secret=cs-1", "cs-1"},
      {"/oauth/callback?code=auth-code-1&state=s", "auth-code-1"},
      {R"({"password":"hunter22"})", "hunter22"},
      {"X-Api-Key: key-abcdef", "key-abcdef"},
      {"GET /v1/items?api_key=ak-1234&page=2", "ak-1234"},
      {"/v1/apikey/pk-55555/items", "pk-55555"},
      {"https://maps.example/api?key=AIzaXYZ123", "AIzaXYZ123"},
      {R"({"clientSecret":"cs-camel"})", "cs-camel"},
  };
  for (const auto& c : cases) {
    std::string out = redact(c.input);
    EXPECT_EQ(out.find(c.must_not_contain), std::string::npos) << c.input << " -> " << out;
    EXPECT_NE(out.find(kRedacted), std::string::npos) << c.input << " -> " << out;
  }
  unregister_secret("client-secret-xyz");
  EXPECT_EQ(redact("client-secret-xyz"), "client-secret-xyz");
}

TEST(Redact, LeavesOrdinaryTextAndErrorCodesAlone) {
  for (std::string text : {"GET /health 200 0.1ms", R"({"error":{"code":"not_found"}})",
                           "status_code=404", "expires_in=3600"}) {
    EXPECT_EQ(redact(text), text);
  }
}

TEST(Redact, OverlappingSecretsBecomeOneMask) {
  register_secret("abcdefgh-1234");
  register_secret("1234-ijklmnop");
  EXPECT_EQ(redact("x abcdefgh-1234-ijklmnop y"), "x [REDACTED] y");
  unregister_secret("abcdefgh-1234");
  unregister_secret("1234-ijklmnop");
}

TEST(RedactJson, MasksSecretMembersAndRedactsEveryString) {
  register_secret("registered-value-1");
  auto value = nlohmann::json::parse(R"({
    "headers": {"X-Api-Key": "k1", "Authorization": "Bearer abcdefgh", "Accept": "*/*"},
    "nested": [{"client_secret": 42}, "text registered-value-1 text"],
    "key": "PROJ-1"
  })");
  redact_json(value);
  EXPECT_EQ(value["headers"]["X-Api-Key"], kRedacted);
  EXPECT_EQ(value["headers"]["Authorization"], kRedacted);
  EXPECT_EQ(value["headers"]["Accept"], "*/*");
  EXPECT_EQ(value["nested"][0]["client_secret"], kRedacted);
  EXPECT_EQ(value["nested"][1], "text [REDACTED] text");
  EXPECT_EQ(value["key"], "PROJ-1");
  unregister_secret("registered-value-1");
}

TEST(Mask, KeepsNothingOfShortSecrets) {
  EXPECT_EQ(mask("abc"), std::string(kRedacted));
  EXPECT_EQ(mask("abcdefghijklmnop").rfind("ab", 0), 0u);
  EXPECT_EQ(mask("abcdefghijklmnop").find("cdefgh"), std::string::npos);
}

TEST(LogLevel, ParsesEveryWinstonLevelAndRejectsOthers) {
  for (const char* name : {"error", "warn", "info", "http", "verbose", "debug", "silly"}) {
    auto level = parse_level(name);
    ASSERT_TRUE(level) << name;
    EXPECT_EQ(level_name(*level), name);
  }
  auto bad = parse_level("loud");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("loud"), std::string::npos);
}

TEST(LogLevel, EnabledFollowsTheConfiguredLevel) {
  ASSERT_TRUE(init_logging(LogOptions{Level::warn, "", false}));
  EXPECT_TRUE(enabled(Level::error));
  EXPECT_TRUE(enabled(Level::warn));
  EXPECT_FALSE(enabled(Level::info));
  ASSERT_TRUE(init_logging(LogOptions{Level::silly, "", false}));
  EXPECT_TRUE(enabled(Level::debug));
}

}  // namespace
}  // namespace ferry::observe
