#include "ferry/observe/redact.h"

#include <gtest/gtest.h>

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
