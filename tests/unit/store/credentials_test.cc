#include "ferry/store/credentials.h"

#include <gtest/gtest.h>

namespace ferry::store {
namespace {

using nlohmann::json;
using std::chrono::minutes;

const TimePoint kNow = TimePoint(FakeClock::kDefaultStart);  // 2026-01-01T00:00:00Z

TEST(Credentials, EveryStoredFormReadsBackTypedAndWritesBackTheSame) {
  const json forms[] = {
      {{"type", "OAUTH2"},
       {"access_token", "at"},
       {"refresh_token", "rt"},
       {"expires_at", "2026-01-01T00:15:00.000Z"},
       {"raw", {{"scope", "read:jira-work"}}}},
      {{"type", "OAUTH2"}, {"access_token", "at"}, {"raw", json::object()}},
      {{"type", "OAUTH1"}, {"oauth_token", "ot"}, {"oauth_token_secret", "ots"}, {"raw", {{"a", 1}}}},
      {{"type", "API_KEY"}, {"api_key", "k"}},
      {{"type", "BASIC"}, {"username", "ada"}, {"password", "p"}},
      {{"type", "NONE"}},
  };
  for (const json& form : forms) {
    auto typed = credentials_from_json(form, "connection u1 of integration jira");
    ASSERT_TRUE(typed) << form.dump() << ": " << typed.error().message;
    EXPECT_EQ(credentials_to_json(*typed), form);
  }
}

TEST(Credentials, TheExpiryIsParsedOnceWhenRead) {
  auto typed = credentials_from_json(
      {{"type", "OAUTH2"}, {"access_token", "at"}, {"expires_at", "2026-01-01T01:15:00+01:00"}},
      "c");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->type, CredentialType::oauth2);
  EXPECT_EQ(typed->expires_at, kNow + minutes(15));
}

TEST(Credentials, AnUnreadableExpiryReadsAsLongPastSoTheTokenIsRenewed) {
  auto typed =
      credentials_from_json({{"type", "OAUTH2"}, {"access_token", "at"}, {"expires_at", "soon"}}, "c");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->expires_at, TimePoint{});
}

TEST(Credentials, RowsWrittenWithoutATypeReadAsNone) {
  auto typed = credentials_from_json(json::object(), "c");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->type, CredentialType::none);
}

TEST(Credentials, DamagedRowsAreStorageErrorsThatNameTheRowButNoValue) {
  struct Case {
    json stored;
    const char* why;
  };
  const Case cases[] = {
      {json::array(), "are not a JSON object"},
      {{{"type", "SECRET_HANDSHAKE"}}, "have an unknown type"},
      {{{"type", 42}}, "have a type that is not text"},
      {{{"type", "API_KEY"}}, "have no api_key"},
      {{{"type", "BASIC"}, {"username", "ada"}}, "have no password"},
      {{{"type", "OAUTH2"}, {"access_token", 7}}, "have a access_token that is not text"},
      {{{"type", "OAUTH1"}, {"oauth_token", "ot-secret-value"}}, "have no oauth_token_secret"},
  };
  for (const auto& c : cases) {
    auto typed = credentials_from_json(c.stored, "connection u1 of integration jira");
    ASSERT_FALSE(typed) << c.stored.dump();
    EXPECT_EQ(typed.error().code, Errc::storage_corrupt);
    EXPECT_NE(typed.error().message.find("connection u1 of integration jira"), std::string::npos);
    EXPECT_NE(typed.error().message.find(c.why), std::string::npos) << typed.error().message;
    EXPECT_EQ(typed.error().message.find("ot-secret-value"), std::string::npos);
  }
}

}  // namespace
}  // namespace ferry::store
