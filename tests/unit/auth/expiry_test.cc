#include "ferry/auth/oauth2/expiry.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(FakeClock::kDefaultStart);  // 2026-01-01T00:00:00Z

// Credentials as the store reads them from their stored JSON form.
store::Credentials typed(const json& stored) {
  auto credentials = store::credentials_from_json(stored, "the test connection");
  EXPECT_TRUE(credentials) << stored.dump();
  return credentials ? *credentials : store::Credentials{};
}

store::Credentials oauth2(const std::string& expires_at, bool with_refresh = true) {
  json c = {{"type", "OAUTH2"}, {"access_token", "at"}};
  if (with_refresh) c["refresh_token"] = "rt";
  if (!expires_at.empty()) c["expires_at"] = expires_at;
  return typed(c);
}

config::Integration integration(config::GrantType grant = config::GrantType::authorization_code,
                                minutes margin = minutes(15)) {
  config::Integration i;
  i.key = "jira";
  i.auth.auth_mode = config::AuthMode::oauth2;
  i.auth.grant_type = grant;
  i.auth.refresh_margin = margin;
  return i;
}

TEST(RenewalNeeded, DecidesFromExpiryMarginForceAndRefreshToken) {
  const auto code = config::GrantType::authorization_code;
  const auto cc = config::GrantType::client_credentials;
  struct Case {
    const char* name;
    config::Integration integration;
    store::Credentials credentials;
    bool force;
    Renewal expected;
  };
  config::Integration api_key = integration();
  api_key.auth.auth_mode = config::AuthMode::api_key;
  const Case cases[] = {
      {"expires in 1 h", integration(), oauth2("2026-01-01T01:00:00Z"), false, Renewal::none},
      {"expires in 16 min", integration(), oauth2("2026-01-01T00:16:00Z"), false, Renewal::none},
      {"expires in exactly 15 min", integration(), oauth2("2026-01-01T00:15:00Z"), false,
       Renewal::refresh_token},
      {"expires in 14 min", integration(), oauth2("2026-01-01T00:14:00Z"), false,
       Renewal::refresh_token},
      {"expired an hour ago", integration(), oauth2("2025-12-31T23:00:00Z"), false,
       Renewal::refresh_token},
      {"14 min with a 5 min margin", integration(code, minutes(5)), oauth2("2026-01-01T00:14:00Z"),
       false, Renewal::none},
      {"4 min with a 5 min margin", integration(code, minutes(5)), oauth2("2026-01-01T00:04:00Z"),
       false, Renewal::refresh_token},
      {"fresh but forced", integration(), oauth2("2026-01-01T01:00:00Z"), true,
       Renewal::refresh_token},
      {"no expires_at", integration(), oauth2(""), false, Renewal::none},
      {"no expires_at, forced", integration(), oauth2(""), true, Renewal::refresh_token},
      {"malformed expires_at", integration(), oauth2("next tuesday"), false,
       Renewal::refresh_token},
      {"expired, no refresh token", integration(), oauth2("2025-12-31T23:00:00Z", false), false,
       Renewal::none},
      {"forced, no refresh token", integration(), oauth2("2026-01-01T01:00:00Z", false), true,
       Renewal::none},
      {"another credential type", integration(), typed({{"type", "API_KEY"}, {"api_key", "k"}}),
       true, Renewal::none},
      {"an API_KEY integration", api_key, oauth2("2025-12-31T23:00:00Z"), false, Renewal::none},
      {"client_credentials without a token", integration(cc), typed({{"type", "OAUTH2"}}), false,
       Renewal::client_credentials},
      {"client_credentials, empty credentials", integration(cc), typed(json::object()), false,
       Renewal::client_credentials},
      {"client_credentials, due", integration(cc), oauth2("2026-01-01T00:10:00Z", false), false,
       Renewal::client_credentials},
      {"client_credentials, fresh", integration(cc), oauth2("2026-01-01T01:00:00Z", false), false,
       Renewal::none},
      {"client_credentials, forced", integration(cc), oauth2("2026-01-01T01:00:00Z", false), true,
       Renewal::client_credentials},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(renewal_needed(c.integration, c.credentials, kNow, c.force), c.expected) << c.name;
  }
}

TEST(IsDue, TreatsAMissingAccessTokenAsDueAndAMissingExpiryAsNot) {
  EXPECT_TRUE(is_due(typed({{"type", "OAUTH2"}}), kNow, seconds(0)));
  EXPECT_TRUE(is_due(typed({{"type", "OAUTH2"}, {"access_token", ""}}), kNow, seconds(0)));
  EXPECT_FALSE(is_due(typed({{"type", "OAUTH2"}, {"access_token", "at"}}), kNow, seconds(0)));
  EXPECT_FALSE(is_due(typed({{"type", "OAUTH2"}, {"access_token", "at"}, {"expires_at", nullptr}}),
                      kNow, seconds(0)));
  EXPECT_FALSE(is_due(oauth2("2026-01-01T00:00:01Z"), kNow, seconds(0)));
  EXPECT_TRUE(is_due(oauth2("2026-01-01T00:00:00Z"), kNow, seconds(0)));
}

}  // namespace
}  // namespace ferry::auth::oauth2
