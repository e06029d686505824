#include "ferry/proxy/deprecated_endpoints.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "ferry/proxy/upstream_target.h"

namespace ferry::proxy {
namespace {

using Segments = std::vector<std::string>;

config::DeprecatedEndpoint endpoint(std::string path, std::string replacement,
                                    std::vector<std::string> methods = {},
                                    std::string note = "", std::string listed_by = "") {
  config::DeprecatedEndpoint out;
  out.path = std::move(path);
  out.replacement = std::move(replacement);
  out.methods = std::move(methods);
  out.note = std::move(note);
  out.listed_by = std::move(listed_by);
  return out;
}

// What jira:v0 lists.
std::vector<config::DeprecatedEndpoint> jira_entries() {
  return {endpoint("/rest/api/3/search", "/rest/api/3/search/jql", {"GET", "POST"}),
          endpoint("/rest/api/2/search", "/rest/api/2/search/jql", {"GET", "POST"})};
}

TEST(PathSegments, ReadsThePathAsALenientServerWould) {
  struct Case {
    std::string_view target;
    Segments segments;
  };
  const Case cases[] = {
      {"", {}},
      {"/", {}},
      {"///", {}},
      {"a", {"a"}},
      {"/a/b", {"a", "b"}},
      {"a/b/", {"a", "b"}},
      {"a//b///", {"a", "b"}},
      {"a/b?c=/d/e", {"a", "b"}},
      {"a/b#/c", {"a", "b"}},
      {"a/b?x#y", {"a", "b"}},
      // Escapes are decoded once; an encoded slash or backslash separates segments.
      {"a/%73earch", {"a", "search"}},
      {"a%2Fb%2fc", {"a", "b", "c"}},
      {"a%5Cb%5cc", {"a", "b", "c"}},
      {"a\\b", {"a", "b"}},
      {"a/b%252Fc", {"a", "b%2Fc"}},
      {"a/%3Fq", {"a", "?q"}},
      {"a/b%", {"a", "b%"}},
      {"a/b%2", {"a", "b%2"}},
      {"a/%zz", {"a", "%zz"}},
      // Parameters are dropped, dot segments resolved.
      {"a/b;jsessionid=1/c", {"a", "b", "c"}},
      {"a/;x/b", {"a", "b"}},
      {"a/./b/.", {"a", "b"}},
      {"a/b/../c", {"a", "c"}},
      {"a/b/c/../../d", {"a", "d"}},
      {"../../a", {"a"}},
      {"a/../../b", {"b"}},
      {"a/b/..", {"a"}},
      {"a/%2e%2E/b", {"b"}},
      {"a/..;x/b", {"b"}},
      {"a/.%2e/b/%2E", {"b"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(path_segments(c.target), c.segments) << c.target;
  }
}

TEST(PathSegments, KeepsOnlyTheLastSegmentsAsked) {
  EXPECT_EQ(last_path_segments("a/b/c/d", 2), (Segments{"c", "d"}));
  EXPECT_EQ(last_path_segments("a/b/c/d", 9), (Segments{"a", "b", "c", "d"}));
  EXPECT_EQ(last_path_segments("a/b/../c/d", 2), (Segments{"c", "d"}));
  EXPECT_EQ(last_path_segments("a/b/c/../../d", 2), (Segments{"a", "d"}));
  EXPECT_TRUE(last_path_segments("a/b", 0).empty());
}

TEST(DeprecatedEndpointMatcher, CatchesEverySpellingOfTheListedPath) {
  const auto entries = jira_entries();
  const DeprecatedEndpointMatcher matcher(entries);
  const config::DeprecatedEndpoint* v3 = &entries[0];
  const config::DeprecatedEndpoint* v2 = &entries[1];
  struct Case {
    std::string_view target;
    const config::DeprecatedEndpoint* expected;
  };
  const Case cases[] = {
      {"/rest/api/3/search", v3},
      {"rest/api/3/search", v3},
      {"/rest/api/2/search", v2},
      {"ex/jira/1324a887-45db/rest/api/3/search?jql=project%3DPROJ&maxResults=5", v3},
      {"/ex/jira/1324a887-45db/rest/api/2/search", v2},
      {"/ex/jira/${connectionConfig.cloudId}/rest/api/3/search", v3},
      {"ex/jira/%24%7BconnectionConfig.cloudId%7D/rest/api/3/search", v3},
      {"ex/jira/x/rest/api/3/search/", v3},
      {"ex/jira/x/rest/api/3/search//?jql=a", v3},
      {"ex/jira/x//rest//api/3/search", v3},
      {"ex/jira/x/rest/api/3/search#top", v3},
      {"ex/jira/x/rest/api/3/%73earch", v3},
      {"ex/jira/x/rest/api/%33/search", v3},
      {"ex/jira/x/rest%2Fapi%2F3%2Fsearch", v3},
      {"ex/jira/x/rest%2fapi/3%2fsearch", v3},
      {"ex/jira/x/rest/api/3%5Csearch", v3},
      {"ex\\jira\\x\\rest\\api\\3\\search", v3},
      {"ex/jira/x/rest/api/3/search;jsessionid=abc", v3},
      {"ex/jira/x/rest/api/3/./search", v3},
      {"ex/jira/x/rest/api/3/issue/../search", v3},
      {"ex/jira/x/rest/api/4/../3/search", v3},
      {"ex/jira/x/rest/api/3/issue/%2e%2e/search", v3},
      // Not the listed endpoint.
      {"ex/jira/x/rest/api/3/search/jql", nullptr},
      {"ex/jira/x/rest/api/3/search/jql?jql=x&next=/rest/api/3/search", nullptr},
      {"ex/jira/x/rest/api/3/searchx", nullptr},
      {"ex/jira/x/rest/api/3/xsearch", nullptr},
      {"ex/jira/x/rest/api/3/search/approximate-count", nullptr},
      {"ex/jira/x/rest/api/3/search/..", nullptr},
      {"ex/jira/x/rest/api/4/search", nullptr},
      {"ex/jira/x/rest/API/3/search", nullptr},
      {"ex/jira/x/rest/api/3/Search", nullptr},
      {"ex/jira/x/rest/api/3/search%252F", nullptr},
      {"ex/jira/x/rest/api/3/sea%rch", nullptr},
      {"ex/jira/x/rest/api/3/%00search", nullptr},
      {"ex/jira/x/myapi/3/search", nullptr},
      {"api/3/search", nullptr},
      {"search", nullptr},
      {"", nullptr},
      {"/", nullptr},
      {"?/rest/api/3/search", nullptr},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matcher.match("GET", c.target), c.expected) << c.target;
  }
}

TEST(DeprecatedEndpointMatcher, HonoursTheListedMethodsExactly) {
  const auto entries = jira_entries();
  const DeprecatedEndpointMatcher matcher(entries);
  const std::string_view target = "ex/jira/x/rest/api/3/search";
  EXPECT_EQ(matcher.match("GET", target), &entries[0]);
  EXPECT_EQ(matcher.match("POST", target), &entries[0]);
  for (std::string_view method : {"PUT", "DELETE", "HEAD", "PATCH", "get", "Post", ""}) {
    EXPECT_EQ(matcher.match(method, target), nullptr) << method;
  }

  const std::vector<config::DeprecatedEndpoint> any = {endpoint("/v1/old", "/v2/new")};
  const DeprecatedEndpointMatcher every_method(any);
  for (std::string_view method : {"GET", "POST", "DELETE", "OPTIONS", "PROPFIND", "get"}) {
    EXPECT_EQ(every_method.match(method, "/base/v1/old"), &any[0]) << method;
  }
}

TEST(DeprecatedEndpointMatcher, TheFirstListedEntryWins) {
  const std::vector<config::DeprecatedEndpoint> entries = {
      endpoint("/api/3/search", "/a"), endpoint("/rest/api/3/search", "/b"),
      endpoint("/search", "/c")};
  const DeprecatedEndpointMatcher matcher(entries);
  EXPECT_EQ(matcher.match("GET", "/rest/api/3/search"), &entries[0]);
  EXPECT_EQ(matcher.match("GET", "/v9/search"), &entries[2]);
}

TEST(DeprecatedEndpointMatcher, EmptyListsAndRootPathsMatchNothing) {
  const DeprecatedEndpointMatcher none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.match("GET", "/rest/api/3/search"), nullptr);

  const std::vector<config::DeprecatedEndpoint> roots = {endpoint("/", "/x"),
                                                         endpoint("//./", "/y")};
  const DeprecatedEndpointMatcher matcher(roots);
  EXPECT_TRUE(matcher.empty());
  EXPECT_EQ(matcher.match("GET", "/anything"), nullptr);
  EXPECT_EQ(matcher.match("GET", "/"), nullptr);
}

TEST(DeprecatedEndpointMatcher, ListedPathsAreNormalisedLikeCalls) {
  const std::vector<config::DeprecatedEndpoint> entries = {
      endpoint("/rest//api/3/search/", "/rest/api/3/search/jql")};
  const DeprecatedEndpointMatcher matcher(entries);
  EXPECT_EQ(matcher.match("GET", "x/rest/api/3/search"), &entries[0]);
  EXPECT_EQ(matcher.match("GET", "x/rest/api/3/search/jql"), nullptr);
}

TEST(DeprecatedEndpointMatcher, HostileTargetsStayLinearAndBounded) {
  const auto entries = jira_entries();
  const DeprecatedEndpointMatcher matcher(entries);
  const std::string megabyte_of_segments = [] {
    std::string s;
    for (int i = 0; i < 512 * 1024; ++i) s += "a/";
    return s;
  }();
  EXPECT_EQ(matcher.match("GET", megabyte_of_segments + "rest/api/3/search"), &entries[0]);
  EXPECT_EQ(matcher.match("GET", megabyte_of_segments), nullptr);
  EXPECT_EQ(last_path_segments(megabyte_of_segments, 4).size(), 4u);

  std::string parents;
  for (int i = 0; i < 300 * 1000; ++i) parents += "../";
  EXPECT_EQ(matcher.match("GET", parents + "rest/api/3/search"), &entries[0]);
  EXPECT_EQ(matcher.match("GET", "rest/api/3/search/" + parents), nullptr);
  EXPECT_EQ(matcher.match("GET", megabyte_of_segments + "rest/api/3/search/x/" + parents),
            nullptr);

  std::string encoded;
  for (int i = 0; i < 200 * 1000; ++i) encoded += "%2F";
  EXPECT_EQ(matcher.match("GET", encoded + "rest%2Fapi%2F3%2Fsearch" + encoded), &entries[0]);

  const std::string one_huge_segment(4 * 1024 * 1024, 's');
  EXPECT_EQ(matcher.match("GET", "rest/api/3/" + one_huge_segment), nullptr);
  EXPECT_EQ(matcher.match("GET", one_huge_segment + "/rest/api/3/search"), &entries[0]);

  // Every byte but the two that end a path ('?' and '#').
  std::string binary;
  for (int i = 0; i < 256; ++i) {
    if (i != '?' && i != '#') binary.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(matcher.match("GET", binary), nullptr);
  EXPECT_EQ(matcher.match("GET", binary + "/rest/api/3/search"), &entries[0]);
}

// The URL guard runs first and refuses these spellings with 400 before the matcher sees
// them; the matcher catches them all the same, so neither depends on the other.
TEST(DeprecatedEndpointMatcher, SpellingsTheUrlGuardRefusesFirstAreCaughtAnyway) {
  const auto base = BaseUrl::parse("https://api.atlassian.com/").value();
  const auto entries = jira_entries();
  const DeprecatedEndpointMatcher matcher(entries);
  for (std::string_view endpoint :
       {"ex/jira/x/rest%2Fapi%2F3%2Fsearch", "ex/jira/x/rest/api/3/issue/../search",
        "ex/jira/x/rest/api/3/./search", "ex/jira/x/rest/api/3/issue/%2e%2e/search",
        "ex/jira/x/rest/api/3%5Csearch", "ex/jira/x/rest/api/4/..;x/3/search"}) {
    EXPECT_FALSE(UpstreamTarget::build(base, endpoint, "")) << endpoint;
    EXPECT_EQ(matcher.match("GET", endpoint), &entries[0]) << endpoint;
  }
  // What the guard lets through is matched on the request target it builds.
  auto target = UpstreamTarget::build(base, "ex/jira/x/rest/api/3/%73earch/", "jql=a");
  ASSERT_TRUE(target);
  EXPECT_EQ(matcher.match("GET", target->target()), &entries[0]);
}

TEST(DeprecatedEndpointMessage, NamesMethodPathReplacementListerAndNote) {
  EXPECT_EQ(deprecated_endpoint_message(
                endpoint("/rest/api/3/search", "/rest/api/3/search/jql", {"GET"},
                         "Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 Gone.",
                         "jira:v0"),
                "GET"),
            "GET /rest/api/3/search was removed by the provider; use /rest/api/3/search/jql "
            "instead (jira:v0: Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 "
            "Gone.)");
  EXPECT_EQ(deprecated_endpoint_message(endpoint("/v1/old", "/v2/new", {}, "", "integration acme"),
                                        "POST"),
            "POST /v1/old was removed by the provider; use /v2/new instead (integration acme)");
  EXPECT_EQ(deprecated_endpoint_message(endpoint("/v1/old", "/v2/new", {}, "Gone since May."),
                                        "DELETE"),
            "DELETE /v1/old was removed by the provider; use /v2/new instead (Gone since May.)");
  EXPECT_EQ(deprecated_endpoint_message(endpoint("/v1/old", "/v2/new"), "GET"),
            "GET /v1/old was removed by the provider; use /v2/new instead");
}

}  // namespace
}  // namespace ferry::proxy
