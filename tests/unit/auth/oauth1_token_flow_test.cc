// The pure parts of the OAuth 1.0a legs: the authorization redirect and the flow's secret
// kept with its state. The calls to a provider are exercised end to end against
// tools/fake-oauth1 (tests/compat/oauth1.test.mjs).
#include "ferry/auth/oauth1/token_flow.h"

#include <gtest/gtest.h>

namespace ferry::auth::oauth1 {
namespace {

config::Integration trello_like() {
  config::Integration integration;
  integration.key = "boards";
  integration.auth.auth_mode = config::AuthMode::oauth1;
  integration.auth.authorization_url = "https://provider.test/1/OAuthAuthorizeToken?lang=en#x";
  integration.auth.authorization_params = {{"expiration", "never"}, {"name", "My App & Co"}};
  integration.auth.scope_separator = ",";
  integration.oauth_scopes = {"read", "write"};
  return integration;
}

TEST(OAuth1AuthorizationUrl, CarriesTheTokenScopesAndParamsEncoded) {
  AuthorizationInputs inputs;
  inputs.extra_params = {{"name", "Session default"}};
  auto url = authorization_url(trello_like(), "temp token/1", inputs);
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url,
            "https://provider.test/1/OAuthAuthorizeToken?lang=en&expiration=never&"
            "name=Session%20default&oauth_token=temp%20token%2F1&scope=read%2Cwrite");
}

TEST(OAuth1AuthorizationUrl, WithoutScopesHasNoScopeParameter) {
  config::Integration integration = trello_like();
  integration.oauth_scopes.clear();
  integration.auth.authorization_params.clear();
  auto url = authorization_url(integration, "t", {});
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "https://provider.test/1/OAuthAuthorizeToken?lang=en&oauth_token=t");
}

TEST(OAuth1AuthorizationUrl, ATokenCannotAddAParameter) {
  auto url = authorization_url(trello_like(), "t&oauth_callback=https://evil.test", {});
  ASSERT_TRUE(url);
  EXPECT_EQ(url->find("&oauth_callback="), std::string::npos) << *url;
  EXPECT_NE(url->find("oauth_token=t%26oauth_callback%3Dhttps%3A%2F%2Fevil.test"),
            std::string::npos)
      << *url;
}

TEST(OAuth1AuthorizationUrl, RefusesAUrlThatIsNotHttp) {
  config::Integration integration = trello_like();
  integration.auth.authorization_url = "javascript:alert(1)";
  auto url = authorization_url(integration, "t", {});
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, Errc::config_invalid);
}

TEST(OAuth1TemporaryCredentials, RoundTripThroughTheStateRow) {
  auto back = unpack_temporary(pack({"tok", "se\"cret\n"}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->token, "tok");
  EXPECT_EQ(back->secret, "se\"cret\n");
  for (const char* bad : {"", "pkce-verifier-abc", "{}", R"({"oauth_token":1})", "[1,2]"}) {
    EXPECT_FALSE(unpack_temporary(bad)) << bad;
  }
}

TEST(OAuth1Credentials, StoredAsOauth1WithTheWholeAnswer) {
  TokenCredentials grant;
  grant.token = "at";
  grant.secret = "as";
  grant.raw = {{"oauth_token", "at"}, {"screen_name", "someone"}};
  const store::Credentials stored = stored_credentials(grant);
  EXPECT_EQ(stored.type, store::CredentialType::oauth1);
  EXPECT_EQ(stored.oauth_token, "at");
  EXPECT_EQ(stored.oauth_token_secret, "as");
  EXPECT_EQ(stored.raw["screen_name"], "someone");
}

}  // namespace
}  // namespace ferry::auth::oauth1
