// Every blueprint of the built-in catalog, one test case each: its description, categories
// and sources are present; an integration extending it loads; an authorization URL can be
// built for it (OAuth 2 and OAuth 1.0a); a proxied request for a connection of its auth mode
// goes to its API over https with its credentials in place and no placeholder left; its
// pagination defaults are options nango:paginate accepts.
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <regex>
#include <set>

#include "ferry/actions/pagination.h"
#include "ferry/actions/request_options.h"
#include "ferry/auth/oauth1/token_flow.h"
#include "ferry/auth/oauth2/authorization_request.h"
#include "ferry/config/catalog.h"
#include "ferry/config/environment.h"
#include "ferry/config/loader.h"
#include "ferry/core/crypto.h"
#include "ferry/proxy/oauth1_signing.h"
#include "ferry/proxy/prepared_integration.h"
#include "ferry/proxy/upstream_request.h"
#include "temp_folder.h"

namespace ferry {
namespace {

using nlohmann::json;

const config::Catalog& catalog() {
  static const config::Catalog loaded = [] {
    auto c = config::Catalog::load({});
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }();
  return loaded;
}

bool uses_client(const config::Blueprint& blueprint) {
  const auto mode = blueprint.latest()->settings.auth.auth_mode;
  return mode == config::AuthMode::oauth2 || mode == config::AuthMode::oauth1;
}

// One folder whose integrations.yaml extends every blueprint under its own name.
struct CatalogProject {
  testing::TempFolder folder;
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<const proxy::PreparedProject> prepared;

  CatalogProject() {
    std::string yaml = "integrations:\n";
    for (const auto& name : catalog().names()) {
      yaml += "  " + name + ":\n    extends_blueprint: " + name + "\n";
      if (uses_client(*catalog().find(name))) {
        yaml += "    oauth_client_id: test-client-id\n    oauth_client_secret: test-client-secret\n";
      }
    }
    folder.write("integrations.yaml", yaml);
    auto loaded = config::load_project(folder.path(), config::Environment::from_map({}));
    if (!loaded) throw std::runtime_error(loaded.error().message);
    project = std::make_shared<const config::Project>(std::move(*loaded));
    prepared = proxy::PreparedProject::build(project);
  }
};

const CatalogProject& catalog_project() {
  static const CatalogProject built;
  return built;
}

// Values for every ${connectionConfig.KEY}, ${metadata.KEY} and ${raw.KEY} the text uses.
struct ConnectionData {
  json connection_config = json::object();
  json metadata = json::object();
  json raw = json::object();
};

ConnectionData data_for(const std::string& text) {
  ConnectionData data;
  static const std::regex placeholder(R"(\$\{(connectionConfig|metadata|raw)\.([A-Za-z0-9_]+)\})");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder);
       it != std::sregex_iterator(); ++it) {
    const std::string where = (*it)[1];
    const std::string key = (*it)[2];
    json& into = where == "connectionConfig" ? data.connection_config
                 : where == "metadata"       ? data.metadata
                                             : data.raw;
    into[key] = "test-" + key;
  }
  return data;
}

store::Credentials credentials_for(config::AuthMode mode, const json& raw) {
  store::Credentials c;
  switch (mode) {
    case config::AuthMode::oauth2:
      c.type = store::CredentialType::oauth2;
      c.access_token = "test-access-token";
      c.raw = raw;
      break;
    case config::AuthMode::oauth1:
      c.type = store::CredentialType::oauth1;
      c.oauth_token = "test-oauth-token";
      c.oauth_token_secret = "test-oauth-token-secret";
      c.raw = raw;
      break;
    case config::AuthMode::api_key:
      c.type = store::CredentialType::api_key;
      c.api_key = "test-api-key";
      break;
    default:
      c.type = store::CredentialType::basic;
      c.username = "test-user";
      c.password = "test-password";
      break;
  }
  return c;
}

// The forms a connection's secret takes in a request: as is, or inside HTTP Basic.
std::vector<std::string> credential_forms(const store::Credentials& c) {
  std::vector<std::string> forms;
  for (const std::string* secret : {&c.access_token, &c.oauth_token, &c.api_key, &c.password}) {
    if (!secret->empty()) forms.push_back(*secret);
  }
  if (!c.api_key.empty()) {
    forms.push_back(base64_encode(c.api_key + ":"));
    forms.push_back(base64_encode(":" + c.api_key));
  }
  if (!c.password.empty()) forms.push_back(base64_encode(c.username + ":" + c.password));
  return forms;
}

class CatalogBlueprint : public ::testing::TestWithParam<std::string> {};

TEST(Catalog, HoldsAtLeastOneHundredBlueprints) {
  EXPECT_GE(catalog().names().size(), 100u);
}

// blueprints/README.md's table (scripts/catalog-table.py) names every blueprint with all of
// its sources.
TEST_P(CatalogBlueprint, IsInTheCatalogReadmeWithItsSources) {
  static const std::string readme = [] {
    std::ifstream in(std::string(FERRY_SOURCE_DIR) + "/blueprints/README.md");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  const config::Blueprint& blueprint = *catalog().find(GetParam());
  const std::size_t row = readme.find("\n| " + blueprint.name + " | ");
  ASSERT_NE(row, std::string::npos) << "run scripts/catalog-table.py";
  const std::string line = readme.substr(row + 1, readme.find('\n', row + 1) - row - 1);
  for (const auto& source : blueprint.sources) {
    EXPECT_NE(line.find("(" + source + ")"), std::string::npos) << source << " in " << line;
  }
}

TEST_P(CatalogBlueprint, DescribesItselfAndItsSources) {
  const config::Blueprint& blueprint = *catalog().find(GetParam());
  EXPECT_FALSE(blueprint.description.empty()) << "the file's first line is a # description";
  EXPECT_EQ(blueprint.maintainer, "Ferry");
  EXPECT_EQ(blueprint.docs_url.rfind("https://", 0), 0u);
  EXPECT_FALSE(blueprint.categories.empty());
  EXPECT_FALSE(blueprint.sources.empty()) << "the pages its facts come from";
  for (const auto& version : blueprint.versions) EXPECT_FALSE(version.comment.empty());
}

TEST_P(CatalogBlueprint, BuildsAnAuthorizationUrl) {
  const config::Integration* integration =
      catalog_project().project->find_integration(GetParam());
  ASSERT_NE(integration, nullptr);
  const auto& auth = integration->auth;
  const ConnectionData data = data_for(catalog().find(GetParam())->latest()->yaml);
  std::string url;
  if (auth.auth_mode == config::AuthMode::oauth2) {
    EXPECT_EQ(auth.token_url.rfind("https://", 0), 0u) << auth.token_url;
    if (auth.grant_type == config::GrantType::client_credentials) return;
    auth::oauth2::AuthorizationInputs inputs;
    inputs.redirect_uri = "https://ferry.example/oauth/callback";
    inputs.state = "test-state";
    if (auth.pkce) inputs.code_challenge = "test-challenge";
    inputs.connection_config = data.connection_config;
    auto built = auth::oauth2::build_authorization_url(*integration, inputs);
    ASSERT_TRUE(built) << built.error().message;
    url = *built;
    EXPECT_NE(url.find("client_id=test-client-id"), std::string::npos) << url;
    EXPECT_NE(url.find("state=test-state"), std::string::npos) << url;
    EXPECT_NE(url.find("response_type=code"), std::string::npos) << url;
    if (auth.pkce) {
      EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos) << url;
    }
  } else if (auth.auth_mode == config::AuthMode::oauth1) {
    EXPECT_EQ(auth.request_url.rfind("https://", 0), 0u) << auth.request_url;
    EXPECT_EQ(auth.token_url.rfind("https://", 0), 0u) << auth.token_url;
    auto built = auth::oauth1::authorization_url(*integration, "test-request-token", {});
    ASSERT_TRUE(built) << built.error().message;
    url = *built;
    EXPECT_NE(url.find("oauth_token=test-request-token"), std::string::npos) << url;
  } else {
    GTEST_SKIP() << "credentials of " << config::auth_mode_name(auth.auth_mode)
                 << " are registered, not authorized";
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  ASSERT_TRUE(parsed) << url;
  EXPECT_EQ(parsed->scheme(), "https") << url;
  EXPECT_EQ(url.find("${"), std::string::npos) << url;
}

TEST_P(CatalogBlueprint, BuildsAProxiedRequestWithItsCredentials) {
  const proxy::PreparedIntegration* integration = catalog_project().prepared->find(GetParam());
  ASSERT_NE(integration, nullptr);
  ASSERT_TRUE(integration->base_url) << integration->base_url_error->message;
  ASSERT_FALSE(integration->template_error) << integration->template_error->message;
  const proxy::BaseUrl& base = *integration->base_url;
  EXPECT_TRUE(base.is_https()) << base.origin();

  const ConnectionData data = data_for(catalog().find(GetParam())->latest()->yaml);
  store::Connection connection;
  connection.provider_config_key = GetParam();
  connection.connection_id = "test-connection";
  connection.credentials = credentials_for(integration->config->auth.auth_mode, data.raw);
  connection.connection_config = data.connection_config;
  connection.metadata = data.metadata;

  auto plan = proxy::TargetPlan::make(*integration, "", "widgets/42", "limit=5", {});
  ASSERT_TRUE(plan) << plan.error().message;
  auto request = (*plan)->build(connection, http::Verb::get, "GET");
  ASSERT_TRUE(request) << request.error().message;
  if (auto signer = proxy::OAuth1Signer::for_call(*integration->config, connection.credentials)) {
    ASSERT_TRUE(signer->sign(*request));
  }
  EXPECT_TRUE(request->origin.tls);
  EXPECT_EQ(request->origin.host, base.host());
  EXPECT_EQ(request->target.rfind(base.path() + "widgets/42?limit=5", 0), 0u) << request->target;

  std::string sent = request->target;
  for (const auto& header : request->headers) {
    EXPECT_EQ(header.value.find("${"), std::string::npos) << header.name << ": " << header.value;
    sent += "\n" + header.value;
  }
  const auto forms = credential_forms(connection.credentials);
  const bool carries_credentials = std::any_of(forms.begin(), forms.end(), [&](const auto& form) {
    return sent.find(form) != std::string::npos;
  });
  EXPECT_TRUE(carries_credentials) << "no credential in the request: " << sent;
}

TEST_P(CatalogBlueprint, PaginationDefaultsAreValidOptions) {
  const config::Integration* integration =
      catalog_project().project->find_integration(GetParam());
  ASSERT_NE(integration, nullptr);
  if (integration->pagination.empty()) GTEST_SKIP() << "no pagination defaults";
  auto parsed =
      actions::parse_paginate_options(actions::pagination_defaults_table(integration->pagination));
  EXPECT_TRUE(parsed) << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(Builtin, CatalogBlueprint, ::testing::ValuesIn(catalog().names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace ferry
