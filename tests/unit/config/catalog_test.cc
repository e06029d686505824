#include "ferry/config/catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config_test_support.h"
#include "ferry/config/embedded_catalog.h"
#include "ferry/config/loader.h"

namespace ferry::config {
namespace {

using testing::kAcmeBlueprint;
using testing::TempFolder;

TEST(EmbeddedCatalog, EveryShippedBlueprintLoads) {
  const auto& files = embedded_blueprints();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    auto catalog = Catalog::from_texts({{"blueprint " + file.name, file.text}});
    EXPECT_TRUE(catalog) << file.name << ":\n" << catalog.error().message;
  }
  auto catalog = Catalog::load(std::filesystem::path());
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->names().size(), files.size());
}

TEST(EmbeddedCatalog, EveryVersionResolvesIntoAValidIntegration) {
  auto catalog = Catalog::load(std::filesystem::path());
  ASSERT_TRUE(catalog) << catalog.error().message;
  // One integration per shipped blueprint version, with the credentials OAuth needs.
  std::string yaml = "integrations:\n";
  for (const auto& name : catalog->names()) {
    for (const auto& version : catalog->find(name)->versions) {
      yaml += "  " + name + "-" + version.name + ":\n    extends_blueprint: " + name + ":" +
              version.name + "\n    oauth_client_id: id\n    oauth_client_secret: secret\n";
    }
  }
  TempFolder folder;
  folder.write("integrations.yaml", yaml);
  auto project = load_project(folder.path(), Environment::from_map({}));
  ASSERT_TRUE(project) << project.error().message;
  for (const auto& name : catalog->names()) {
    for (const auto& version : catalog->find(name)->versions) {
      const Integration* integration = project->find_integration(name + "-" + version.name);
      ASSERT_NE(integration, nullptr) << name;
      EXPECT_EQ(integration->provider, name);
      EXPECT_EQ(integration->requests.base_url, version.settings.requests.base_url) << name;
      EXPECT_EQ(integration->auth.auth_mode, version.settings.auth.auth_mode) << name;
      auto resolved = catalog->resolve(name);
      ASSERT_TRUE(resolved) << name;
      EXPECT_EQ(resolved->version, catalog->find(name)->latest());
    }
  }
}

TEST(EmbeddedCatalog, JiraMatchesTheDesign) {
  auto catalog = Catalog::load(std::filesystem::path());
  ASSERT_TRUE(catalog) << catalog.error().message;
  auto jira = catalog->resolve("jira:v0");
  ASSERT_TRUE(jira) << jira.error().message;
  const Integration& s = jira->version->settings;
  EXPECT_EQ(s.auth.auth_mode, AuthMode::oauth2);
  EXPECT_EQ(s.auth.authorization_url, "https://auth.atlassian.com/authorize");
  EXPECT_EQ(s.auth.token_url, "https://auth.atlassian.com/oauth/token");
  EXPECT_EQ(s.auth.authorization_params.at("audience"), "api.atlassian.com");
  EXPECT_EQ(s.auth.authorization_params.at("prompt"), "consent");
  EXPECT_EQ(s.requests.base_url, "https://api.atlassian.com/");
  EXPECT_EQ(s.post_connection, std::vector<std::string>{"atlassian_accessible_resources"});
}

TEST(Catalog, FolderBlueprintAddsAndReplacesVersions) {
  auto embedded = Catalog::load(std::filesystem::path());
  ASSERT_TRUE(embedded) << embedded.error().message;
  ASSERT_FALSE(embedded->names().empty());
  const std::string name = embedded->names().front();
  const Blueprint& original = *embedded->find(name);

  TempFolder folder;
  folder.write("blueprints/" + name + ".yaml",
               "name: " + name + "\nmaintainer: Our Team\ndocs_url: https://docs.example/\n"
               "versions:\n"
               "  v0:\n    comment: ours\n    auth: {auth_mode: API_KEY}\n"
               "    requests: {base_url: 'https://override.example/'}\n"
               "  v9:\n    comment: newer\n    auth: {auth_mode: API_KEY}\n"
               "    requests: {base_url: 'https://v9.example/'}\n");
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  auto catalog = Catalog::load(folder.path() / "blueprints");
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->names().size(), embedded->names().size() + 1);
  const Blueprint* replaced = catalog->find(name);
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(replaced->maintainer, "Our Team");
  EXPECT_EQ(replaced->find_version("v0")->settings.requests.base_url,
            "https://override.example/");
  EXPECT_EQ(replaced->latest()->name, "v9");
  // Catalog versions the file does not mention stay available.
  std::size_t expected_versions = original.versions.size();
  for (const char* added : {"v0", "v9"}) {
    if (original.find_version(added) == nullptr) ++expected_versions;
  }
  EXPECT_EQ(replaced->versions.size(), expected_versions);
  for (const auto& version : original.versions) {
    EXPECT_NE(replaced->find_version(version.name), nullptr) << version.name;
  }
  EXPECT_EQ(catalog->find("acme")->description, "Acme test API.");
}

TEST(Catalog, ResolveFindsVersionsAndExplainsFailures) {
  auto catalog = Catalog::from_texts({{"/b/acme.yaml", kAcmeBlueprint}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  struct Case {
    const char* spec;
    const char* version;  // expected version, or nullptr for an error
    const char* message;  // part of the error
  };
  const Case cases[] = {
      {"acme", "v1", ""},
      {"acme:v0", "v0", ""},
      {"acme:v1", "v1", ""},
      {"acme:v2", nullptr, "blueprint `acme` has no version `v2` (available: v0, v1)"},
      {"acme:", nullptr, "has no version ``"},
      {"acm", nullptr, "unknown blueprint `acm`; did you mean `acme`? (available: acme)"},
  };
  for (const auto& c : cases) {
    auto resolved = catalog->resolve(c.spec);
    if (c.version != nullptr) {
      ASSERT_TRUE(resolved) << c.spec;
      EXPECT_EQ(resolved->version->name, c.version) << c.spec;
    } else {
      ASSERT_FALSE(resolved) << c.spec;
      EXPECT_EQ(resolved.error().code, Errc::not_found);
      EXPECT_NE(resolved.error().message.find(c.message), std::string::npos)
          << resolved.error().message;
    }
  }
}

TEST(Catalog, HigherVersionNumbersSortNumerically) {
  std::string text = std::string(kAcmeBlueprint) +
                     "  v10:\n    comment: tenth\n    auth: {auth_mode: NONE}\n"
                     "    requests: {base_url: 'https://ten.example/'}\n";
  auto catalog = Catalog::from_texts({{"/b/acme.yaml", text}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->find("acme")->latest()->name, "v10");
}

TEST(Catalog, BadBlueprintsReportEveryProblem) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"name: acme\nversions: {}\n", "/b/acme.yaml:1:1: maintainer: required"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    auth: {auth_mode: API_KEY}\n    requests: {base_url: 'https://x.example/'}\n",
       "/b/acme.yaml:5:3: versions.v0.comment: required"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  first:\n"
       "    comment: c\n",
       "/b/acme.yaml:5:3: versions.first: expected a version name like v0"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    comment: c\n    auth: {auth_mode: OAUTH2}\n"
       "    requests: {base_url: 'https://x.example/'}\n",
       "/b/acme.yaml:5:3: versions.v0.auth.token_url: required for auth_mode OAUTH2"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n    post_connection: [atlassian]\n",
       "/b/acme.yaml:9:23: versions.v0.post_connection[0]: unknown step \"atlassian\""},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\ncategories: [crmm]\n"
       "versions:\n  v0:\n    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n",
       "categories: unknown category `crmm` (did you mean crm?)"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\ncategories: [crm, crm]\n"
       "versions:\n  v0:\n    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n",
       "category `crm` is listed twice"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\n"
       "sources: ['http://plain.example/docs']\n"
       "versions:\n  v0:\n    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n",
       "sources: expected https URLs of the provider's documentation"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n    pagination: {type: pages}\n",
       "/b/acme.yaml:9:24: versions.v0.pagination.type"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n    pagination: {limit: many}\n",
       "versions.v0.pagination.limit"},
      {"name: acme\nmaintainer: m\ndocs_url: https://d.example/\nversions:\n  v0:\n"
       "    comment: c\n    auth: {auth_mode: NONE}\n"
       "    requests: {base_url: 'https://x.example/'}\n    pagination: {cursor: x}\n",
       "versions.v0.pagination.cursor: unknown key"},
  };
  for (const auto& c : cases) {
    auto catalog = Catalog::from_texts({{"/b/acme.yaml", c.text}});
    ASSERT_FALSE(catalog) << c.text;
    EXPECT_NE(catalog.error().message.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\nmessage:  " << catalog.error().message;
  }
}

TEST(Catalog, CategoriesSourcesAndPaginationAreRead) {
  auto catalog = Catalog::from_texts({{"/b/acme.yaml",
      "# Acme.\nname: acme\nmaintainer: m\ndocs_url: https://d.example/\n"
      "categories: [crm, support]\nsources: [https://d.example/oauth, https://d.example/limits]\n"
      "versions:\n  v0:\n    comment: c\n    auth: {auth_mode: NONE}\n"
      "    requests: {base_url: 'https://x.example/'}\n"
      "    pagination: {type: cursor, cursor_path_in_response: next, limit: 50}\n"}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  const Blueprint* acme = catalog->find("acme");
  EXPECT_EQ(acme->categories, (std::vector<std::string>{"crm", "support"}));
  EXPECT_EQ(acme->sources.size(), 2u);
  const auto& pagination = acme->latest()->settings.pagination;
  EXPECT_EQ(pagination.at("type"), "cursor");
  EXPECT_EQ(pagination.at("cursor_path_in_response"), "next");
  EXPECT_EQ(pagination.at("limit"), "50");
  const auto json = blueprint_to_json(*acme);
  EXPECT_EQ(json["categories"][1], "support");
  EXPECT_EQ(json["versions"]["v0"]["pagination"]["type"], "cursor");
}

TEST(Catalog, BlueprintJsonCarriesTheVersions) {
  auto catalog = Catalog::from_texts({{"/b/acme.yaml", kAcmeBlueprint}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  nlohmann::json json = blueprint_to_json(*catalog->find("acme"));
  EXPECT_EQ(json["name"], "acme");
  EXPECT_EQ(json["maintainer"], "Acme Tests");
  EXPECT_EQ(json["docs_url"], "https://acme.example/docs");
  EXPECT_EQ(json["latest_version"], "v1");
  EXPECT_EQ(json["description"], "Acme test API.");
  const auto& v0 = json["versions"]["v0"];
  EXPECT_EQ(v0["auth_mode"], "OAUTH2");
  EXPECT_EQ(v0["auth"]["token_url"], "https://auth.acme.example/token");
  EXPECT_EQ(v0["auth"]["authorization_params"]["prompt"], "consent");
  EXPECT_EQ(v0["requests"]["base_url"], "https://api.acme.example/");
  EXPECT_EQ(v0["requests"]["headers"]["authorization"], "Bearer ${access_token}");
  EXPECT_EQ(v0["oauth_scopes"], nlohmann::json({"read", "write"}));
  EXPECT_EQ(v0["retry"]["retry_on"], nlohmann::json({429, 503}));
  EXPECT_EQ(v0["comment"], "The first version.");
  EXPECT_NE(v0["yaml"].get<std::string>().find("token_url: https://auth.acme.example/token"),
            std::string::npos);
}

}  // namespace
}  // namespace ferry::config
