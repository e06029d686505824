#include "ferry/api/dashboard_sessions.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

constexpr const char* kSecretKey = "unit-secret-key-0123456789abcdef";
constexpr const char* kPassword = "correct-horse-battery";

struct Sessions : ::testing::Test {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  DashboardSessions sessions{kSecretKey, kPassword, clock};
};

TEST_F(Sessions, TheSecretKeyAndThePasswordSignInAndTheCookieProvesTheSession) {
  for (const char* credential : {kSecretKey, kPassword}) {
    auto issued = sessions.sign_in(credential, "10.0.0.1");
    ASSERT_TRUE(issued) << issued.error().message;
    auto verified = sessions.verify(issued->cookie_value);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->id, issued->session.id);
    EXPECT_EQ(verified->csrf_token, issued->session.csrf_token);
    EXPECT_FALSE(verified->csrf_token.empty());
    EXPECT_EQ(issued->cookie_value.find(kSecretKey), std::string::npos);
  }
}

TEST_F(Sessions, WrongCredentialsAreRefusedAndRepeatedFailuresAreThrottledPerAddress) {
  for (int i = 0; i < 10; ++i) {
    auto refused = sessions.sign_in("guess-" + std::to_string(i), "10.0.0.1");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::unauthorized);
  }
  // The right key no longer helps this address until the window passes...
  auto throttled = sessions.sign_in(kSecretKey, "10.0.0.1");
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, Errc::too_many_requests);
  // ...while another address is unaffected.
  EXPECT_TRUE(sessions.sign_in(kSecretKey, "10.0.0.2"));
  clock->advance(std::chrono::minutes(16));
  EXPECT_TRUE(sessions.sign_in(kSecretKey, "10.0.0.1"));
}

TEST_F(Sessions, ExpiredTamperedForeignAndSignedOutCookiesAreRefused) {
  auto issued = sessions.sign_in(kSecretKey, "10.0.0.1");
  ASSERT_TRUE(issued);
  const std::string cookie = issued->cookie_value;

  std::string tampered = cookie;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';  // inside the id
  EXPECT_FALSE(sessions.verify(tampered));
  // A later expiry with the old MAC.
  const std::size_t mac = cookie.rfind('.');
  const std::size_t expiry = cookie.rfind('.', mac - 1);
  EXPECT_FALSE(sessions.verify(cookie.substr(0, expiry + 1) + "99999999999" + cookie.substr(mac)));
  for (const char* junk : {"", ".", "v1", "v1...", "v1.a.b.c.d", "\xff\xfe"}) {
    EXPECT_FALSE(sessions.verify(junk)) << junk;
  }
  EXPECT_FALSE(sessions.verify(std::string(100'000, 'a')));

  DashboardSessions other_server{"another-secret-key-0123456789", "", clock};
  EXPECT_FALSE(other_server.verify(cookie)) << "a session survives a change of secret key";

  ASSERT_TRUE(sessions.verify(cookie));
  sessions.revoke(*sessions.verify(cookie));
  auto revoked = sessions.verify(cookie);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().message.find("signed out"), std::string::npos);

  auto fresh = sessions.sign_in(kSecretKey, "10.0.0.1");
  ASSERT_TRUE(fresh);
  clock->advance(std::chrono::hours(12));
  auto expired = sessions.verify(fresh->cookie_value);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST_F(Sessions, WithoutAPasswordOnlyTheSecretKeySignsIn) {
  DashboardSessions key_only{kSecretKey, "", clock};
  EXPECT_FALSE(key_only.sign_in("", "10.0.0.1"));
  EXPECT_TRUE(key_only.sign_in(kSecretKey, "10.0.0.1"));
}

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(cookie_value("a=1; ferry_dashboard=v1.x.y.z; b=2", "ferry_dashboard"), "v1.x.y.z");
  EXPECT_EQ(cookie_value("ferry_dashboard=\"quoted\"", "ferry_dashboard"), "quoted");
  EXPECT_EQ(cookie_value("xferry_dashboard=1; ferry_dashboardx=2", "ferry_dashboard"),
            std::nullopt);
  EXPECT_EQ(cookie_value("", "ferry_dashboard"), std::nullopt);
  EXPECT_EQ(cookie_value(";;;=;", "ferry_dashboard"), std::nullopt);
}

}  // namespace
}  // namespace ferry::api
