// deprecated_endpoints, deprecated_endpoint_policy and site_selection: read from blueprint
// versions and integrations, merged (the integration wins; lists replace), rendered, and
// every bad value reported with its file, line and column.
#include "ferry/config/settings.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config_test_support.h"
#include "ferry/config/catalog.h"
#include "ferry/config/loader.h"
#include "ferry/config/render.h"

namespace ferry::config {
namespace {

using testing::kAcmeBlueprint;
using testing::TempFolder;
using testing::with_dir;

constexpr const char* kJiraHead =
    "integrations:\n  jira:\n    extends_blueprint: jira:v0\n"
    "    oauth_client_id: id\n    oauth_client_secret: secret\n";
constexpr const char* kAcmeHead =
    "integrations:\n  acme:\n    extends_blueprint: acme:v0\n"
    "    oauth_client_id: id\n    oauth_client_secret: secret\n";

Result<Project> load(const TempFolder& folder, const std::string& integrations) {
  folder.write("blueprints/acme.yaml", kAcmeBlueprint);
  folder.write("integrations.yaml", integrations);
  return load_project(folder.path(), Environment::from_map({}));
}

TEST(DeprecatedEndpoints, JiraListsTheRemovedIssueSearch) {
  TempFolder folder;
  auto project = load(folder, kJiraHead);
  ASSERT_TRUE(project) << project.error().message;
  const Integration& jira = project->integrations.at("jira");
  ASSERT_EQ(jira.deprecated_endpoints.size(), 2u);
  const std::string note = "Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 Gone.";
  for (const char* version : {"3", "2"}) {
    const std::string api = std::string("/rest/api/") + version;
    const auto& entry = jira.deprecated_endpoints[version[0] == '3' ? 0 : 1];
    EXPECT_EQ(entry.path, api + "/search");
    EXPECT_EQ(entry.replacement, api + "/search/jql");
    EXPECT_EQ(entry.methods, (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(entry.note, note);
    EXPECT_EQ(entry.listed_by, "jira:v0");
  }
  EXPECT_EQ(jira.deprecated_endpoint_policy, DeprecatedEndpointPolicy::reject);
  EXPECT_EQ(jira.site_selection, SiteSelection::ask);

  const BlueprintVersion* v0 = project->catalog->find("jira")->find_version("v0");
  ASSERT_NE(v0, nullptr);
  EXPECT_EQ(v0->settings.deprecated_endpoints.size(), 2u);
  EXPECT_EQ(v0->settings.deprecated_endpoints[0].listed_by, "jira:v0");
  EXPECT_EQ(v0->settings.site_selection, SiteSelection::ask);
}

TEST(DeprecatedEndpoints, AbsentKeysTakeTheirDefaults) {
  TempFolder folder;
  auto project = load(folder, std::string(kAcmeHead) +
                                  "  bare:\n    auth: {auth_mode: API_KEY}\n"
                                  "    requests: {base_url: \"https://bare.example/\"}\n");
  ASSERT_TRUE(project) << project.error().message;
  for (const char* key : {"acme", "bare"}) {
    const Integration& integration = project->integrations.at(key);
    EXPECT_TRUE(integration.deprecated_endpoints.empty()) << key;
    EXPECT_EQ(integration.deprecated_endpoint_policy, DeprecatedEndpointPolicy::reject) << key;
    EXPECT_EQ(integration.site_selection, SiteSelection::first) << key;
  }
}

TEST(DeprecatedEndpoints, TheIntegrationWinsOverItsBlueprint) {
  TempFolder folder;
  auto project = load(folder, std::string(kJiraHead) +
                                  "    deprecated_endpoint_policy: warn\n"
                                  "    site_selection: first\n");
  ASSERT_TRUE(project) << project.error().message;
  const Integration& jira = project->integrations.at("jira");
  EXPECT_EQ(jira.deprecated_endpoint_policy, DeprecatedEndpointPolicy::warn);
  EXPECT_EQ(jira.site_selection, SiteSelection::first);
  // The list is the blueprint's, untouched.
  ASSERT_EQ(jira.deprecated_endpoints.size(), 2u);
  EXPECT_EQ(jira.deprecated_endpoints[0].listed_by, "jira:v0");
}

TEST(DeprecatedEndpoints, AnIntegrationsListReplacesTheBlueprintsWhole) {
  TempFolder folder;
  auto project = load(folder, std::string(kJiraHead) +
                                  "    deprecated_endpoints:\n"
                                  "      - path: /rest/api/3/expression/eval\n"
                                  "        replacement: /rest/api/3/expression/evaluate\n"
                                  "        methods: [POST]\n"
                                  "  jira-none:\n    extends_blueprint: jira:v0\n"
                                  "    oauth_client_id: id\n    oauth_client_secret: secret\n"
                                  "    deprecated_endpoints: []\n"
                                  "  jira-null:\n    extends_blueprint: jira:v0\n"
                                  "    oauth_client_id: id\n    oauth_client_secret: secret\n"
                                  "    deprecated_endpoints:\n");
  ASSERT_TRUE(project) << project.error().message;
  const Integration& jira = project->integrations.at("jira");
  ASSERT_EQ(jira.deprecated_endpoints.size(), 1u);
  const DeprecatedEndpoint& entry = jira.deprecated_endpoints[0];
  EXPECT_EQ(entry.path, "/rest/api/3/expression/eval");
  EXPECT_EQ(entry.replacement, "/rest/api/3/expression/evaluate");
  EXPECT_EQ(entry.methods, std::vector<std::string>{"POST"});
  EXPECT_EQ(entry.note, "");
  EXPECT_EQ(entry.listed_by, "integration jira");
  EXPECT_TRUE(project->integrations.at("jira-none").deprecated_endpoints.empty());
  // A null value leaves the blueprint's list, as for every other key.
  const Integration& kept = project->integrations.at("jira-null");
  ASSERT_EQ(kept.deprecated_endpoints.size(), 2u);
  EXPECT_EQ(kept.deprecated_endpoints[1].listed_by, "jira:v0");
}

TEST(DeprecatedEndpoints, FolderBlueprintsAndPlainIntegrationsMayListThem) {
  TempFolder folder;
  folder.write("blueprints/legacy.yaml", R"(name: legacy
maintainer: Tests
docs_url: https://legacy.example/docs
versions:
  v0:
    comment: An API with a removed endpoint.
    auth: {auth_mode: API_KEY}
    requests: {base_url: "https://legacy.example/api/"}
    deprecated_endpoint_policy: warn
    site_selection: ask
    deprecated_endpoints:
      - path: /v1/users
        replacement: /v2/users
        note: Gone since v2.
)");
  auto project = load(folder, "integrations:\n"
                              "  legacy:\n    extends_blueprint: legacy\n"
                              "  plain:\n    auth: {auth_mode: API_KEY}\n"
                              "    requests: {base_url: \"https://plain.example/\"}\n"
                              "    deprecated_endpoints:\n"
                              "      - {path: /old, replacement: /new, methods: [DELETE]}\n");
  ASSERT_TRUE(project) << project.error().message;
  const Integration& legacy = project->integrations.at("legacy");
  EXPECT_EQ(legacy.deprecated_endpoint_policy, DeprecatedEndpointPolicy::warn);
  EXPECT_EQ(legacy.site_selection, SiteSelection::ask);
  ASSERT_EQ(legacy.deprecated_endpoints.size(), 1u);
  EXPECT_EQ(legacy.deprecated_endpoints[0].path, "/v1/users");
  EXPECT_TRUE(legacy.deprecated_endpoints[0].methods.empty());
  EXPECT_EQ(legacy.deprecated_endpoints[0].note, "Gone since v2.");
  EXPECT_EQ(legacy.deprecated_endpoints[0].listed_by, "legacy:v0");
  const Integration& plain = project->integrations.at("plain");
  ASSERT_EQ(plain.deprecated_endpoints.size(), 1u);
  EXPECT_EQ(plain.deprecated_endpoints[0].methods, std::vector<std::string>{"DELETE"});
  EXPECT_EQ(plain.deprecated_endpoints[0].listed_by, "integration plain");
}

struct BadCase {
  const char* name;
  std::map<std::string, std::string> files;  // relative path -> text
  std::vector<std::string> expected;         // substrings of the message; {dir} = folder
};

std::string blueprint_with(const std::string& extra) {
  return "name: legacy\nmaintainer: Tests\ndocs_url: https://legacy.example/\nversions:\n"
         "  v0:\n    comment: c\n    auth: {auth_mode: API_KEY}\n"
         "    requests: {base_url: \"https://legacy.example/\"}\n" +
         extra;
}

std::vector<BadCase> bad_cases() {
  const std::string head = kAcmeHead;
  const std::string list = head + "    deprecated_endpoints:\n";
  const std::string entry = "{dir}/integrations.yaml:7:9: integrations.acme.deprecated_endpoints[0]";
  const std::string legacy = "integrations:\n  legacy:\n    extends_blueprint: legacy\n";
  return {
      {"UnknownPolicy", {{"integrations.yaml", head + "    deprecated_endpoint_policy: block\n"}},
       {"{dir}/integrations.yaml:6:33: integrations.acme.deprecated_endpoint_policy: expected "
        "one of reject, warn, got \"block\""}},
      {"PolicyNearMiss", {{"integrations.yaml", head + "    deprecated_endpoint_policy: rejct\n"}},
       {"integrations.acme.deprecated_endpoint_policy: expected one of reject, warn, got "
        "\"rejct\"; did you mean `reject`?"}},
      {"PolicyIsNotAList",
       {{"integrations.yaml", head + "    deprecated_endpoint_policy: [warn]\n"}},
       {"{dir}/integrations.yaml:6:33: integrations.acme.deprecated_endpoint_policy: expected "
        "one of reject, warn, got a list"}},
      {"UnknownSiteSelection", {{"integrations.yaml", head + "    site_selection: pick\n"}},
       {"{dir}/integrations.yaml:6:21: integrations.acme.site_selection: expected one of first, "
        "ask, got \"pick\""}},
      {"SiteSelectionIsCaseSensitive", {{"integrations.yaml", head + "    site_selection: ASK\n"}},
       {"integrations.acme.site_selection: expected one of first, ask, got \"ASK\"; did you "
        "mean `ask`?"}},
      {"ListIsAMap", {{"integrations.yaml", head + "    deprecated_endpoints: {path: /x}\n"}},
       {"{dir}/integrations.yaml:6:27: integrations.acme.deprecated_endpoints: expected a list "
        "of {path, replacement, methods, note} entries, got a map"}},
      {"EntryIsAString", {{"integrations.yaml", list + "      - /rest/api/3/search\n"}},
       {entry + ": expected a map with path and replacement, got a string"}},
      {"EntryWithoutPath", {{"integrations.yaml", list + "      - replacement: /v2/new\n"}},
       {entry + ".path: required"}},
      {"EntryWithoutReplacement",
       {{"integrations.yaml", list + "      - path: /v1/old\n        note: gone\n"}},
       {entry + ".replacement: required"}},
      {"EmptyPath",
       {{"integrations.yaml", list + "      - path: \"\"\n        replacement: /v2/new\n"}},
       {"{dir}/integrations.yaml:7:15: integrations.acme.deprecated_endpoints[0].path: expected "
        "a non-empty string"}},
      {"PathWithoutLeadingSlash",
       {{"integrations.yaml",
         list + "      - path: rest/api/3/search\n        replacement: /rest/api/3/search/jql\n"}},
       {"{dir}/integrations.yaml:7:15: integrations.acme.deprecated_endpoints[0].path: expected "
        "a path starting with '/', got \"rest/api/3/search\""}},
      {"FullUrlPath",
       {{"integrations.yaml",
         list + "      - path: https://api.example/v1\n        replacement: /v2\n"}},
       {"integrations.acme.deprecated_endpoints[0].path: expected a path starting with '/'"}},
      {"RootPath",
       {{"integrations.yaml", list + "      - path: //\n        replacement: /v2/new\n"}},
       {"{dir}/integrations.yaml:7:15: integrations.acme.deprecated_endpoints[0].path: expected "
        "a path naming at least one segment, got \"//\""}},
      {"PathWithQuery",
       {{"integrations.yaml", list + "      - path: /v1/old?x=1\n        replacement: /v2\n"}},
       {"integrations.acme.deprecated_endpoints[0].path: expected a path without query, "
        "fragment or whitespace, got \"/v1/old?x=1\""}},
      {"ReplacementWithoutLeadingSlash",
       {{"integrations.yaml", list + "      - path: /v1/old\n        replacement: v2/new\n"}},
       {"{dir}/integrations.yaml:8:22: integrations.acme.deprecated_endpoints[0].replacement: "
        "expected a path starting with '/', got \"v2/new\""}},
      {"UnknownMethod",
       {{"integrations.yaml",
         list + "      - path: /v1/old\n        replacement: /v2\n        methods: [GET, FETCH]\n"}},
       {"{dir}/integrations.yaml:9:24: integrations.acme.deprecated_endpoints[0].methods[1]: "
        "unknown HTTP method \"FETCH\" (expected one of GET, HEAD, POST, PUT, PATCH, DELETE, "
        "OPTIONS, TRACE)"}},
      {"LowerCaseMethod",
       {{"integrations.yaml",
         list + "      - path: /v1/old\n        replacement: /v2\n        methods: [get]\n"}},
       {"{dir}/integrations.yaml:9:19: integrations.acme.deprecated_endpoints[0].methods[0]: "
        "unknown HTTP method \"get\"", "did you mean `GET`?"}},
      {"MethodsIsAString",
       {{"integrations.yaml",
         list + "      - path: /v1/old\n        replacement: /v2\n        methods: GET\n"}},
       {"{dir}/integrations.yaml:9:18: integrations.acme.deprecated_endpoints[0].methods: "
        "expected a list of strings, got a string"}},
      {"UnknownEntryKey",
       {{"integrations.yaml", list + "      - path: /v1/old\n        replacment: /v2\n"}},
       {"{dir}/integrations.yaml:8:9: integrations.acme.deprecated_endpoints[0].replacment: "
        "unknown key; did you mean `replacement`?",
        entry + ".replacement: required"}},
      {"SecondEntryIsNamed",
       {{"integrations.yaml", list + "      - {path: /a, replacement: /b}\n"
                                     "      - {path: c, replacement: /d}\n"}},
       {"{dir}/integrations.yaml:8:16: integrations.acme.deprecated_endpoints[1].path: expected "
        "a path starting with '/', got \"c\""}},
      {"BadPolicyInAFolderBlueprint",
       {{"blueprints/legacy.yaml", blueprint_with("    deprecated_endpoint_policy: maybe\n")},
        {"integrations.yaml", legacy}},
       {"{dir}/blueprints/legacy.yaml:9:33: versions.v0.deprecated_endpoint_policy: expected "
        "one of reject, warn, got \"maybe\""}},
      {"BadSiteSelectionInAFolderBlueprint",
       {{"blueprints/legacy.yaml", blueprint_with("    site_selection: all\n")},
        {"integrations.yaml", legacy}},
       {"{dir}/blueprints/legacy.yaml:9:21: versions.v0.site_selection: expected one of first, "
        "ask, got \"all\""}},
      {"BadEntryInAFolderBlueprint",
       {{"blueprints/legacy.yaml",
         blueprint_with("    deprecated_endpoints:\n      - path: /v1/old\n")},
        {"integrations.yaml", legacy}},
       {"{dir}/blueprints/legacy.yaml:10:9: versions.v0.deprecated_endpoints[0].replacement: "
        "required"}},
  };
}

TEST(DeprecatedEndpoints, EachBadValueNamesFileLineColumnAndKeyPath) {
  for (const auto& c : bad_cases()) {
    TempFolder folder;
    folder.write("blueprints/acme.yaml", kAcmeBlueprint);
    folder.write_all(c.files);
    auto project = load_project(folder.path(), Environment::from_map({}));
    ASSERT_FALSE(project) << c.name;
    EXPECT_EQ(project.error().code, Errc::config_invalid) << c.name;
    for (const auto& expected : c.expected) {
      EXPECT_NE(project.error().message.find(with_dir(expected, folder.path())),
                std::string::npos)
          << c.name << "\nexpected: " << with_dir(expected, folder.path())
          << "\nmessage:  " << project.error().message;
    }
  }
}

TEST(DeprecatedEndpoints, TheApiAndCheckShowThem) {
  TempFolder folder;
  auto project = load(folder, std::string(kJiraHead) + "    deprecated_endpoint_policy: warn\n");
  ASSERT_TRUE(project) << project.error().message;
  nlohmann::json integration = integration_to_json(project->integrations.at("jira"), false);
  EXPECT_EQ(integration["deprecated_endpoint_policy"], "warn");
  EXPECT_EQ(integration["site_selection"], "ask");
  ASSERT_EQ(integration["deprecated_endpoints"].size(), 2u);
  EXPECT_EQ(integration["deprecated_endpoints"][0],
            (nlohmann::json{{"path", "/rest/api/3/search"},
                            {"replacement", "/rest/api/3/search/jql"},
                            {"methods", {"GET", "POST"}},
                            {"note", "Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers "
                                     "410 Gone."}}));

  nlohmann::json blueprint = blueprint_to_json(*project->catalog->find("jira"));
  nlohmann::json& v0 = blueprint["versions"]["v0"];
  EXPECT_EQ(v0["deprecated_endpoint_policy"], "reject");
  EXPECT_EQ(v0["site_selection"], "ask");
  EXPECT_EQ(v0["deprecated_endpoints"], integration["deprecated_endpoints"]);
  EXPECT_NE(v0["yaml"].get<std::string>().find("deprecated_endpoints:"), std::string::npos);

  nlohmann::json acme = integration_to_json(
      *load(folder, kAcmeHead)->find_integration("acme"), false);
  EXPECT_EQ(acme["deprecated_endpoints"], nlohmann::json::array());
  EXPECT_EQ(acme["deprecated_endpoint_policy"], "reject");
  EXPECT_EQ(acme["site_selection"], "first");

  const std::string text = describe_project(*project);
  for (const char* expected : {"  deprecated_endpoints[0].path: /rest/api/3/search\n",
                               "  deprecated_endpoints[1].replacement: /rest/api/2/search/jql\n",
                               "  deprecated_endpoints[0].methods: GET POST\n",
                               "  deprecated_endpoint_policy: warn\n",
                               "  site_selection: ask\n"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

}  // namespace
}  // namespace ferry::config
