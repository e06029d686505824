#include "ferry/auth/placeholders.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::auth {
namespace {

using nlohmann::json;
using Scope = Template::Scope;

// The integration's own templates, where every name is allowed.
constexpr Scope kOperator = Scope::integration_templates;

// Credentials as the store reads them from their stored JSON form.
store::Credentials typed(const json& stored) {
  auto credentials = store::credentials_from_json(stored, "the test connection");
  EXPECT_TRUE(credentials) << stored.dump();
  return credentials ? *credentials : store::Credentials{};
}

// One connection of each credential shape, plus an integration with every field set.
struct Fixture {
  store::Credentials oauth2 = typed({{"type", "OAUTH2"},
                 {"access_token", "at-123"},
                 {"refresh_token", "rt-456"},
                 {"expires_at", "2026-11-29T20:00:00Z"},
                 {"raw",
                  {{"scope", "read:jira-work"},
                   {"expires_in", 3600},
                   {"shared", true},
                   {"nested", {{"a", 1}}},
                   {"nothing", nullptr}}}});
  store::Credentials oauth1 = typed({{"type", "OAUTH1"},
                                     {"oauth_token", "ot-1"},
                                     {"oauth_token_secret", "ots-2"},
                                     {"raw", json::object()}});
  store::Credentials api_key = typed({{"type", "API_KEY"}, {"api_key", "key-789"}});
  store::Credentials basic =
      typed({{"type", "BASIC"}, {"username", "ada"}, {"password", "p@ss:word"}});
  json connection_config = {{"cloudId", "11111111-2222-3333-4444-555555555555"},
                            {"baseUrl", "https://acme.atlassian.net"},
                            {"port", 8443},
                            {"path", "a/b"},
                            {"dots", ".."},
                            {"sites", json::array({"x"})}};
  json metadata = {{"team", "core platform"}, {"limit", 50}, {"beta", false}};
  config::Integration integration = [] {
    config::Integration i;
    i.key = "jira";
    i.oauth_client_id = "client-id";
    i.oauth_client_secret = "client-secret";
    i.app_api_key = "app-key";
    return i;
  }();

  PlaceholderContext with(const store::Credentials& credentials) const {
    return {credentials, connection_config, metadata, integration};
  }
};

TEST(Interpolate, ReplacesEveryPlaceholder) {
  Fixture f;
  struct Case {
    const store::Credentials& credentials;
    std::string_view text, expected;
  };
  const Case cases[] = {
      {f.oauth2, "${access_token}", "at-123"},
      {f.oauth2, "${refresh_token}", "rt-456"},
      {f.oauth1, "${oauth_token}", "ot-1"},
      {f.oauth1, "${oauth_token_secret}", "ots-2"},
      {f.api_key, "${api_key}", "key-789"},
      {f.basic, "${username}", "ada"},
      {f.basic, "${password}", "p@ss:word"},
      // base64("ada:p@ss:word") and base64("key-789:")
      {f.basic, "${basic_auth_encoded}", "YWRhOnBAc3M6d29yZA=="},
      {f.api_key, "${basic_auth_encoded}", "a2V5LTc4OTo="},
      {f.oauth2, "${oauth_client_id}", "client-id"},
      {f.oauth2, "${oauth_client_secret}", "client-secret"},
      {f.api_key, "${app_api_key}", "app-key"},
      {f.oauth2, "${raw.scope}", "read:jira-work"},
      {f.oauth2, "${raw.expires_in}", "3600"},
      {f.oauth2, "${raw.shared}", "true"},
      {f.oauth2, "${connectionConfig.cloudId}", "11111111-2222-3333-4444-555555555555"},
      {f.oauth2, "${connectionConfig.port}", "8443"},
      {f.api_key, "${metadata.team}", "core platform"},
      {f.api_key, "${metadata.limit}", "50"},
      {f.api_key, "${metadata.beta}", "false"},
  };
  for (const auto& c : cases) {
    auto out = interpolate(c.text, f.with(c.credentials), kOperator);
    ASSERT_TRUE(out) << c.text << ": " << out.error().message;
    EXPECT_EQ(*out, c.expected) << c.text;
  }
}

TEST(Interpolate, KeepsSurroundingTextAndEscapes) {
  Fixture f;
  struct Case {
    std::string_view text, expected;
  };
  const Case cases[] = {
      {"Bearer ${access_token}", "Bearer at-123"},
      {"${access_token}${refresh_token}", "at-123rt-456"},
      {"ex/jira/${connectionConfig.cloudId}/rest/api/3/myself",
       "ex/jira/11111111-2222-3333-4444-555555555555/rest/api/3/myself"},
      {"id=${oauth_client_id}&secret=${oauth_client_secret}!",
       "id=client-id&secret=client-secret!"},
      {"no placeholders here", "no placeholders here"},
      {"", ""},
      {"$${access_token}", "${access_token}"},
      {"cost: $5 and ${raw.scope}", "cost: $5 and read:jira-work"},
      {"$$${access_token}", "$${access_token}"},
      {"$", "$"},
      {"trailing $", "trailing $"},
      {"{access_token}", "{access_token}"},
      {"${access_token}}", "at-123}"},
  };
  for (const auto& c : cases) {
    auto out = interpolate(c.text, f.with(f.oauth2), kOperator);
    ASSERT_TRUE(out) << c.text << ": " << out.error().message;
    EXPECT_EQ(*out, c.expected) << c.text;
  }
}

TEST(Interpolate, RejectsUnknownMissingAndMalformedPlaceholders) {
  Fixture f;
  config::Integration bare;
  bare.key = "bare";
  struct Case {
    const store::Credentials& credentials;
    const config::Integration& integration;
    std::string_view text, named;
  };
  const Case cases[] = {
      // Unknown names.
      {f.oauth2, f.integration, "${acess_token}", "${acess_token}"},
      {f.oauth2, f.integration, "Bearer ${token}", "${token}"},
      {f.oauth2, f.integration, "${connection_config.cloudId}", "${connection_config.cloudId}"},
      {f.oauth2, f.integration, "${ access_token }", "${ access_token }"},
      // Known names without a value for this connection.
      {f.oauth2, f.integration, "${api_key}", "${api_key}"},
      {f.oauth2, f.integration, "${username}", "${username}"},
      {f.oauth2, f.integration, "${basic_auth_encoded}", "${basic_auth_encoded}"},
      {f.oauth2, f.integration, "${oauth_token}", "${oauth_token}"},
      {f.api_key, f.integration, "${access_token}", "${access_token}"},
      {f.api_key, f.integration, "${raw.scope}", "${raw.scope}"},
      {f.basic, f.integration, "${api_key}", "${api_key}"},
      {f.oauth1, f.integration, "${refresh_token}", "${refresh_token}"},
      {f.oauth2, f.integration, "${raw.missing}", "${raw.missing}"},
      {f.oauth2, f.integration, "${raw.nothing}", "${raw.nothing}"},
      {f.oauth2, f.integration, "${raw.nested}", "${raw.nested}"},
      {f.oauth2, f.integration, "${connectionConfig.subdomain}", "${connectionConfig.subdomain}"},
      {f.oauth2, f.integration, "${connectionConfig.sites}", "${connectionConfig.sites}"},
      {f.oauth2, f.integration, "${metadata.unknown}", "${metadata.unknown}"},
      {f.oauth2, bare, "${oauth_client_id}", "${oauth_client_id}"},
      {f.oauth2, bare, "${oauth_client_secret}", "${oauth_client_secret}"},
      {f.oauth2, bare, "${app_api_key}", "${app_api_key}"},
      // Malformed.
      {f.oauth2, f.integration, "${}", "${}"},
      {f.oauth2, f.integration, "${raw.}", "${raw.}"},
      {f.oauth2, f.integration, "${metadata.}", "${metadata.}"},
      {f.oauth2, f.integration, "Bearer ${access_token", "${access_token"},
      {f.oauth2, f.integration, "${metadata.${access_token}}", "${metadata.${access_token}"},
  };
  for (const auto& c : cases) {
    PlaceholderContext context{c.credentials, f.connection_config, f.metadata, c.integration};
    auto out = interpolate(c.text, context, kOperator);
    ASSERT_FALSE(out) << c.text;
    EXPECT_EQ(out.error().code, Errc::invalid_argument) << c.text;
    EXPECT_NE(out.error().message.find(c.named), std::string::npos)
        << c.text << " -> " << out.error().message;
  }
}

TEST(Interpolate, ErrorsNeverHoldCredentialValues) {
  Fixture f;
  for (std::string_view text : {"${raw.nested} ${access_token}", "${access_token}${api_key}",
                                "${refresh_token} ${acess_token}"}) {
    auto out = interpolate(text, f.with(f.oauth2), kOperator);
    ASSERT_FALSE(out) << text;
    for (std::string_view secret : {"at-123", "rt-456", "client-secret"}) {
      EXPECT_EQ(out.error().message.find(secret), std::string::npos) << out.error().message;
    }
  }
}

TEST(Interpolate, SuggestsTheClosestKnownName) {
  Fixture f;
  struct Case {
    std::string_view text, hint;
  };
  const Case cases[] = {
      {"${acess_token}", "did you mean ${access_token}?"},
      {"${apikey}", "did you mean ${api_key}?"},
      {"${connection_config.cloudId}", "did you mean ${connectionConfig.cloudId}?"},
      {"${metdata.team}", "did you mean ${metadata.team}?"},
  };
  for (const auto& c : cases) {
    auto out = interpolate(c.text, f.with(f.oauth2), kOperator);
    ASSERT_FALSE(out) << c.text;
    EXPECT_NE(out.error().message.find(c.hint), std::string::npos) << out.error().message;
  }
  auto far = interpolate("${something_else}", f.with(f.oauth2), kOperator);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().message.find("did you mean"), std::string::npos) << far.error().message;
}

TEST(Interpolate, HugeUnknownNamesFailFastWithABoundedMessage) {
  Fixture f;
  const std::string text = "${metadatas." + std::string(200'000, 'k') + "}";
  auto out = interpolate_path(text, f.with(f.oauth2), kOperator);
  ASSERT_FALSE(out);
  EXPECT_LT(out.error().message.size(), 200u) << out.error().message.substr(0, 300);
}

TEST(InterpolatePath, EncodesValuesAsOnePathSegment) {
  Fixture f;
  struct Case {
    std::string_view path, expected;
  };
  const Case cases[] = {
      {"ex/jira/${connectionConfig.cloudId}/rest/api/3/myself",
       "ex/jira/11111111-2222-3333-4444-555555555555/rest/api/3/myself"},
      {"items/${connectionConfig.path}/x", "items/a%2Fb/x"},
      {"teams/${metadata.team}", "teams/core%20platform"},
      {"sites/${connectionConfig.baseUrl}", "sites/https%3A%2F%2Facme.atlassian.net"},
      {"u/${password}", "u/p%40ss%3Aword"},
      {"up/${connectionConfig.dots}/x", "up/../x"},
      // Braces as SDKs send them in a path.
      {"ex/jira/$%7BconnectionConfig.cloudId%7D/myself",
       "ex/jira/11111111-2222-3333-4444-555555555555/myself"},
      {"ex/jira/%24%7bconnectionConfig.cloudId%7d/myself",
       "ex/jira/11111111-2222-3333-4444-555555555555/myself"},
      {"ex/%24{metadata.limit}/x", "ex/50/x"},
      {"ex/$%7Bmetadata.team}/x", "ex/core%20platform/x"},
      {"ex/$%7Bmetadata%2Eteam%7D", "ex/core%20platform"},
      // Escapes and text that only looks like a placeholder.
      {"ex/$$%7Bliteral%7D", "ex/$%7Bliteral%7D"},
      {"ex/$${literal}", "ex/${literal}"},
      {"ex/%24/x", "ex/%24/x"},
      {"ex/%7B%7D", "ex/%7B%7D"},
  };
  for (const auto& c : cases) {
    auto out = interpolate_path(c.path, f.with(f.basic), kOperator);
    ASSERT_TRUE(out) << c.path << ": " << out.error().message;
    EXPECT_EQ(*out, c.expected) << c.path;
  }
}

TEST(InterpolatePath, RejectsLikeInterpolate) {
  Fixture f;
  for (std::string_view path :
       {"ex/$%7Bunknown%7D", "ex/$%7BconnectionConfig.missing%7D", "ex/${api_key}",
        "ex/$%7BconnectionConfig.cloudId", "ex/$%7B%7D", "ex/$%7Bmetadata%zz%7D"}) {
    auto out = interpolate_path(path, f.with(f.oauth2), kOperator);
    ASSERT_FALSE(out) << path;
    EXPECT_EQ(out.error().code, Errc::invalid_argument) << path;
    EXPECT_NE(out.error().message.find("placeholder"), std::string::npos) << path;
  }
}

TEST(InterpolatePath, TextModeLeavesEncodedBracesAlone) {
  Fixture f;
  auto out = interpolate("$%7Baccess_token%7D", f.with(f.oauth2), kOperator);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "$%7Baccess_token%7D");
}

TEST(TemplateScope, ConnectionDataResolvesOnlyConnectionConfigAndMetadata) {
  Fixture f;
  auto path = interpolate_path("ex/${connectionConfig.cloudId}/t/$%7Bmetadata.team%7D",
                               f.with(f.oauth2), Scope::connection_data);
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(*path, "ex/11111111-2222-3333-4444-555555555555/t/core%20platform");
  auto text = interpolate("team ${metadata.team} on ${connectionConfig.baseUrl}",
                          f.with(f.oauth2), Scope::connection_data);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "team core platform on https://acme.atlassian.net");
  auto escaped = interpolate("$${oauth_client_secret}", f.with(f.oauth2), Scope::connection_data);
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ(*escaped, "${oauth_client_secret}");
}

TEST(TemplateScope, ConnectionDataRefusesCredentialsAndSecretsAtCompileTime) {
  struct Case {
    std::string_view text, named;
  };
  const Case cases[] = {
      {"${access_token}", "${access_token}"},
      {"${refresh_token}", "${refresh_token}"},
      {"${oauth_token}", "${oauth_token}"},
      {"${oauth_token_secret}", "${oauth_token_secret}"},
      {"${api_key}", "${api_key}"},
      {"${username}", "${username}"},
      {"${password}", "${password}"},
      {"${basic_auth_encoded}", "${basic_auth_encoded}"},
      {"${oauth_client_id}", "${oauth_client_id}"},
      {"${oauth_client_secret}", "${oauth_client_secret}"},
      {"${app_api_key}", "${app_api_key}"},
      {"${raw.access_token}", "${raw.access_token}"},
      {"x/${connectionConfig.cloudId}/${refresh_token}", "${refresh_token}"},
      // Every spelling a path accepts.
      {"x/$%7Boauth_client_secret%7D", "${oauth_client_secret}"},
      {"x/%24%7Brefresh_token%7d", "${refresh_token}"},
      {"x/$%7Boauth%5Fclient%5Fsecret%7D", "${oauth_client_secret}"},
  };
  for (const auto& c : cases) {
    for (auto mode : {Template::Mode::text, Template::Mode::path}) {
      if (mode == Template::Mode::text && c.text.find('%') != std::string_view::npos) continue;
      auto compiled = Template::compile(c.text, mode, Scope::connection_data);
      ASSERT_FALSE(compiled) << c.text;
      EXPECT_EQ(compiled.error().code, Errc::invalid_argument) << c.text;
      const std::string& message = compiled.error().message;
      EXPECT_NE(message.find(c.named), std::string::npos) << c.text << " -> " << message;
      EXPECT_NE(message.find("not allowed here"), std::string::npos) << message;
    }
    // The operator's own templates may use them.
    EXPECT_TRUE(Template::compile(c.text, Template::Mode::path, Scope::integration_templates))
        << c.text;
  }
}

TEST(TemplateScope, RefusalsNeverHoldAValue) {
  Fixture f;
  for (std::string_view text : {"${oauth_client_secret}", "${refresh_token}", "${access_token}",
                                "${raw.scope}"}) {
    auto out = interpolate(text, f.with(f.oauth2), Scope::connection_data);
    ASSERT_FALSE(out) << text;
    for (std::string_view secret : {"at-123", "rt-456", "client-secret", "read:jira-work"}) {
      EXPECT_EQ(out.error().message.find(secret), std::string::npos) << out.error().message;
    }
  }
}

}  // namespace
}  // namespace ferry::auth
