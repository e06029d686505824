#include "ferry/config/render.h"

#include <gtest/gtest.h>

#include "config_test_support.h"
#include "ferry/config/catalog.h"
#include "ferry/config/loader.h"

namespace ferry::config {
namespace {

using testing::kAcmeBlueprint;
using testing::TempFolder;

constexpr const char* kSecret = "client-secret-0123456789";
constexpr const char* kAppKey = "app-api-key-0123456789";
constexpr const char* kLiteralToken = "literal-token-0123456789";

Project load_acme(const TempFolder& folder) {
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write("integrations.yaml",
               std::string("integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
                           "    oauth_client_id: the-client-id\n"
                           "    oauth_client_secret: ") +
                   kSecret + "\n    app_api_key: " + kAppKey +
                   "\n    requests:\n      headers:\n        x-api-token: " + kLiteralToken +
                   "\n");
  auto project = load_project(folder.path(), Environment::from_map({}));
  EXPECT_TRUE(project) << project.error().message;
  return std::move(project).value();
}

TEST(IntegrationJson, NeverReturnsSecretsUnlessAsked) {
  TempFolder folder;
  Project project = load_acme(folder);
  const Integration& acme = project.integrations.at("acme");

  nlohmann::json hidden = integration_to_json(acme, false);
  std::string text = hidden.dump();
  EXPECT_FALSE(hidden.contains("oauth_client_secret"));
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(text.find(kAppKey), std::string::npos);
  EXPECT_EQ(text.find(kLiteralToken), std::string::npos);
  EXPECT_EQ(hidden["unique_key"], "acme");
  EXPECT_EQ(hidden["provider"], "acme");
  EXPECT_EQ(hidden["oauth_client_id"], "the-client-id");
  EXPECT_EQ(hidden["auth"]["token_url"], "https://auth.acme.example/token");
  // Templates are configuration, not secrets.
  EXPECT_EQ(hidden["requests"]["headers"]["authorization"], "Bearer ${access_token}");

  nlohmann::json shown = integration_to_json(acme, true);
  EXPECT_EQ(shown["oauth_client_secret"], kSecret);
  EXPECT_EQ(shown["app_api_key"], kAppKey);
  EXPECT_EQ(shown["requests"]["headers"]["x-api-token"], kLiteralToken);
}

TEST(DescribeProject, ShowsEveryResolvedFieldWithSecretsMasked) {
  TempFolder folder;
  Project project = load_acme(folder);
  std::string text = describe_project(project);
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find(kAppKey), std::string::npos) << text;
  EXPECT_EQ(text.find(project.server.secret_key), std::string::npos) << text;
  for (const char* expected : {
           "Integration acme (integrations.yaml:2:3), extends blueprint acme:v0",
           "  oauth_client_id: the-client-id\n",
           "  oauth_client_secret: cl",
           "  auth.auth_mode: OAUTH2\n",
           "  auth.token_url: https://auth.acme.example/token\n",
           "  auth.authorization_params.audience: api.acme.example\n",
           "  requests.base_url: https://api.acme.example/\n",
           "  requests.headers.authorization: Bearer ${access_token}\n",
           "  oauth_scopes: read write\n",
           "  retry.max_attempts: 4\n",
           "  retry.retry_on: 429 503\n",
           "  log_level: info (server default)\n",
           "  http_request_timeout_seconds: 100 (server default)\n",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  std::string last = "OAuth callback URL: http://localhost:3003/oauth/callback\n";
  ASSERT_GE(text.size(), last.size());
  EXPECT_EQ(text.substr(text.size() - last.size()), last);
}

TEST(DescribeBlueprint, ShowsTheSelectedVersionsAsYaml) {
  auto catalog = Catalog::from_texts({{"/b/acme.yaml", kAcmeBlueprint}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  struct Case {
    const char* spec;
    bool shows_v0;
    bool shows_v1;
  };
  for (const Case& c : {Case{"acme", true, true}, Case{"acme:v0", true, false},
                        Case{"acme:v1", false, true}}) {
    auto text = describe_blueprint(*catalog, c.spec);
    ASSERT_TRUE(text) << c.spec;
    EXPECT_NE(text->find("Acme test API."), std::string::npos) << *text;
    EXPECT_NE(text->find("versions: v0 v1 (latest: v1)"), std::string::npos) << *text;
    EXPECT_EQ(text->find("token_url: https://auth.acme.example/token\n") != std::string::npos,
              c.shows_v0)
        << c.spec;
    EXPECT_EQ(text->find("token_url: https://auth.acme.example/v1/token\n") != std::string::npos,
              c.shows_v1)
        << c.spec;
  }
  auto unknown = describe_blueprint(*catalog, "acme:v5");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
}

}  // namespace
}  // namespace ferry::config
