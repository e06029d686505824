// The pure pieces of the OAuth 2 connect flow: the authorize URL, PKCE and the state.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>

#include "ferry/auth/oauth2/authorization_request.h"
#include "ferry/auth/oauth2/oauth_state.h"
#include "ferry/auth/oauth2/pkce.h"
#include "ferry/core/clock.h"
#include "ferry/store/open_store.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

constexpr const char* kCallback = "http://localhost:3003/oauth/callback";

config::Integration jira() {
  config::Integration i;
  i.key = "jira";
  i.provider = "jira";
  i.oauth_client_id = "client-1";
  i.oauth_scopes = {"read:jira-work", "offline_access"};
  i.auth.auth_mode = config::AuthMode::oauth2;
  i.auth.authorization_url = "https://auth.atlassian.com/authorize";
  i.auth.authorization_params = {{"audience", "api.atlassian.com"}, {"prompt", "consent"}};
  return i;
}

AuthorizationInputs inputs(const std::string& state = "st-1") {
  AuthorizationInputs in;
  in.redirect_uri = kCallback;
  in.state = state;
  return in;
}

TEST(AuthorizationUrl, JiraUrlHasEveryParameterInOrderAndEncoded) {
  auto url = build_authorization_url(jira(), inputs());
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url,
            "https://auth.atlassian.com/authorize?client_id=client-1"
            "&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback&response_type=code"
            "&scope=read%3Ajira-work%20offline_access&state=st-1"
            "&audience=api.atlassian.com&prompt=consent");
}

TEST(AuthorizationUrl, VariantsOfTheIntegrationAndTheRequest) {
  struct Case {
    const char* name;
    std::function<void(config::Integration&, AuthorizationInputs&)> change;
    std::string expected_query;  // everything after '?'
  };
  const std::string base = "client_id=client-1&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback"
                           "&response_type=code";
  const Case cases[] = {
      {"scope separator",
       [](auto& i, auto&) {
         i.auth.scope_separator = ",";
         i.auth.authorization_params.clear();
       },
       base + "&scope=read%3Ajira-work%2Coffline_access&state=st-1"},
      {"no scopes",
       [](auto& i, auto&) {
         i.oauth_scopes.clear();
         i.auth.authorization_params.clear();
       },
       base + "&state=st-1"},
      {"user_scope",
       [](auto& i, auto& in) {
         i.auth.authorization_params.clear();
         in.user_scope = "chat:write,users:read";
       },
       base + "&scope=read%3Ajira-work%20offline_access&state=st-1"
              "&user_scope=chat%3Awrite%2Cusers%3Aread"},
      {"pkce",
       [](auto& i, auto& in) {
         i.auth.authorization_params.clear();
         in.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
       },
       base + "&scope=read%3Ajira-work%20offline_access&state=st-1"
              "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
              "&code_challenge_method=S256"},
      {"authorization_params replace earlier parameters in place",
       [](auto& i, auto&) { i.auth.authorization_params = {{"response_type", "code id_token"}}; },
       "client_id=client-1&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback"
       "&response_type=code%20id_token&scope=read%3Ajira-work%20offline_access&state=st-1"},
      {"extra params beat the integration's",
       [](auto&, auto& in) { in.extra_params = {{"prompt", "none"}, {"login_hint", "a@b.c"}}; },
       base + "&scope=read%3Ajira-work%20offline_access&state=st-1"
              "&audience=api.atlassian.com&prompt=none&login_hint=a%40b.c"},
      {"reserved characters are encoded",
       [](auto& i, auto& in) {
         i.auth.authorization_params = {{"x y", "a&b=c+d/é"}};
         in.state = "s t";
       },
       base + "&scope=read%3Ajira-work%20offline_access&state=s%20t&x%20y=a%26b%3Dc%2Bd%2F%C3%A9"},
      {"the authorization_url's own query comes first",
       [](auto& i, auto&) {
         i.auth.authorization_url = "https://auth.example.com/authorize?tenant=t1#frag";
         i.auth.authorization_params.clear();
       },
       "tenant=t1&" + base + "&scope=read%3Ajira-work%20offline_access&state=st-1"},
  };
  for (const Case& c : cases) {
    config::Integration integration = jira();
    AuthorizationInputs in = inputs();
    c.change(integration, in);
    auto url = build_authorization_url(integration, in);
    ASSERT_TRUE(url) << c.name << ": " << url.error().message;
    const auto q = url->find('?');
    ASSERT_NE(q, std::string::npos) << c.name;
    EXPECT_EQ(url->substr(q + 1), c.expected_query) << c.name;
    EXPECT_EQ(url->find('#'), std::string::npos) << c.name;
  }
}

TEST(AuthorizationUrl, ConnectionConfigPlaceholdersResolveInTheUrl) {
  config::Integration integration = jira();
  integration.auth.authorization_url = "https://${connectionConfig.subdomain}.example.com/oauth";
  AuthorizationInputs in = inputs();
  in.connection_config = {{"subdomain", "acme"}};
  auto url = build_authorization_url(integration, in);
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->rfind("https://acme.example.com/oauth?client_id=client-1&", 0), 0u) << *url;

  in.connection_config = json::object();
  auto missing = build_authorization_url(integration, in);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::invalid_argument);
  EXPECT_NE(missing.error().message.find("subdomain"), std::string::npos);
}

TEST(AuthorizationUrl, MissingOrRelativeAuthorizationUrlIsAConfigurationError) {
  for (const char* bad : {"", "/authorize", "ftp://auth.example.com/x", "not a url"}) {
    config::Integration integration = jira();
    integration.auth.authorization_url = bad;
    auto url = build_authorization_url(integration, inputs());
    ASSERT_FALSE(url) << bad;
    EXPECT_EQ(url.error().code, Errc::config_invalid) << bad;
    EXPECT_NE(url.error().message.find("jira"), std::string::npos) << bad;
  }
}

TEST(Pkce, ChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(s256_code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, VerifiersAreFreshAndUseOnlyUnreservedCharacters) {
  const std::regex shape("^[A-Za-z0-9_-]{43}$");
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string verifier = make_code_verifier();
    EXPECT_TRUE(std::regex_match(verifier, shape)) << verifier;
    EXPECT_TRUE(seen.insert(verifier).second) << "repeated verifier " << verifier;
  }
}

FlowRequest flow_request(std::string connection_id, std::string ws_client_id,
                         nlohmann::json params) {
  FlowRequest request;
  request.connection_id = std::move(connection_id);
  request.ws_client_id = std::move(ws_client_id);
  request.redirect_uri = kCallback;
  request.params = std::move(params);
  return request;
}

TEST(OAuthState, NewSessionHasARandomStateAnExpiryAndAVerifierOnlyWithPkce) {
  const TimePoint now = TimePoint(FakeClock::kDefaultStart);
  config::Integration integration = jira();
  FlowRequest request = flow_request("user-1", "ws-1", {{"subdomain", "acme"}});
  request.client_address = "10.0.0.1";
  request.origin = "https://app.example.com";
  request.may_overwrite = true;
  request.end_user = {{"id", "end-user-1"}};
  request.tags = {{"team", "blue"}};
  store::OAuthSession a = new_oauth_session(integration, request, now);
  store::OAuthSession b = new_oauth_session(integration, request, now);
  EXPECT_TRUE(std::regex_match(a.state, std::regex("^[0-9a-f]{64}$"))) << a.state;
  EXPECT_NE(a.state, b.state);
  EXPECT_EQ(a.provider_config_key, "jira");
  EXPECT_EQ(a.connection_id, "user-1");
  EXPECT_EQ(a.ws_client_id, "ws-1");
  EXPECT_EQ(a.redirect_uri, kCallback);
  EXPECT_EQ(a.params["subdomain"], "acme");
  EXPECT_EQ(a.expires_at, now + std::chrono::minutes(10));
  EXPECT_TRUE(a.code_verifier.empty());
  EXPECT_EQ(a.client_address, "10.0.0.1");
  EXPECT_EQ(a.origin, "https://app.example.com");
  EXPECT_TRUE(a.may_overwrite);
  EXPECT_EQ(a.end_user, request.end_user);
  EXPECT_EQ(a.tags, request.tags);

  integration.auth.pkce = true;
  store::OAuthSession pkce = new_oauth_session(integration, request, now);
  EXPECT_EQ(pkce.code_verifier.size(), 43u);
}

TEST(OAuthState, CallbackParametersAndProviderRefusals) {
  const std::multimap<std::string, std::string> ok = {{"code", "c-1"}, {"state", "s-1"}};
  auto params = read_callback_params(ok);
  EXPECT_EQ(params.code, "c-1");
  EXPECT_EQ(params.state, "s-1");
  EXPECT_FALSE(provider_refusal(params));

  const std::multimap<std::string, std::string> denied = {
      {"error", "access_denied"},
      {"error_description", "User did not authorize the request"},
      {"state", "s-1"}};
  auto refusal = provider_refusal(read_callback_params(denied));
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("access_denied: User did not authorize the request"), std::string::npos);

  const std::multimap<std::string, std::string> long_error = {{"error", std::string(5000, 'x')}};
  EXPECT_LT(provider_refusal(read_callback_params(long_error))->size(), 400u);
}

class TakeOAuthSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<store::Store> store_;
};

TEST_F(TakeOAuthSessionTest, AStateWorksOnceAndThenNeverAgain) {
  auto session = new_oauth_session(jira(), flow_request("user-1", "", json::object()), clock_->now());
  ASSERT_TRUE(store_->save_oauth_state(session, {}));
  auto taken = take_oauth_session(*store_, session.state);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->connection_id, "user-1");
  auto replay = take_oauth_session(*store_, session.state);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, Errc::not_found);
  EXPECT_NE(replay.error().message.find("already used"), std::string::npos);
}

TEST_F(TakeOAuthSessionTest, MissingUnknownAndExpiredStatesSayWhatHappened) {
  auto session = new_oauth_session(jira(), flow_request("user-1", "", json::object()), clock_->now());
  ASSERT_TRUE(store_->save_oauth_state(session, {}));
  clock_->advance(kStateLifetime + std::chrono::seconds(1));
  struct Case {
    std::string state;
    Errc code;
    const char* says;
  };
  for (const Case& c : {Case{"", Errc::invalid_argument, "no state"},
                        Case{"never-issued", Errc::not_found, "unknown"},
                        Case{session.state, Errc::invalid_argument, "expired"}}) {
    auto taken = take_oauth_session(*store_, c.state);
    ASSERT_FALSE(taken) << c.state;
    EXPECT_EQ(taken.error().code, c.code) << c.state;
    EXPECT_NE(taken.error().message.find(c.says), std::string::npos) << taken.error().message;
  }
  // Expired states are used up too.
  EXPECT_EQ(take_oauth_session(*store_, session.state).error().code, Errc::not_found);
}

}  // namespace
}  // namespace ferry::auth::oauth2
