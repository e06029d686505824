// fake-atlassian: the Jira and Confluence gateway subsets and fault injection.
#include <chrono>
#include <set>

#include "fake_atlassian_fixture.h"
#include "ferry/core/clock.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

TEST_F(FakeAtlassianTest, MyselfNeedsAValidUnexpiredTokenForAGrantedSite) {
  const TokenPair tokens = connect();
  auto ok = get(jira(kSiteA, "myself"), tokens.access);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto me = json::parse(ok.body);
  EXPECT_FALSE(me["accountId"].get<std::string>().empty());
  EXPECT_EQ(me["self"].get<std::string>().rfind(server_->base_url() + "/ex/jira/" + kSiteA, 0), 0u);

  EXPECT_EQ(get(jira(kSiteA, "myself")).status, 401);
  EXPECT_EQ(get(jira(kSiteA, "myself"), "not-a-token").status, 401);
  EXPECT_EQ(get(jira(kSiteB, "myself"), tokens.access).status, 404);  // not in the grant
  EXPECT_EQ(get(jira("no-such-cloud", "myself"), tokens.access).status, 404);

  admin("POST", "clock", {{"advance_seconds", 3599}});
  EXPECT_EQ(get(jira(kSiteA, "myself"), tokens.access).status, 200);
  admin("POST", "clock", {{"advance_seconds", 1}});
  auto expired = get(jira(kSiteA, "myself"), tokens.access);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(json::parse(expired.body), json({{"code", 401}, {"message", "Unauthorized"}}));
  // A refresh brings a working token back.
  const std::string fresh = json::parse(refresh(tokens.refresh).body)["access_token"];
  EXPECT_EQ(get(jira(kSiteA, "myself"), fresh).status, 200);
}

TEST_F(FakeAtlassianTest, MissingScopeIsUnauthorizedWhenScopesAreChecked) {
  admin("POST", "config", {{"check_scopes", true}});
  const std::string token = connect("read:jira-work offline_access").access;
  auto reply = get(jira(kSiteA, "myself"), token);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(json::parse(reply.body)["message"], "Unauthorized; scope does not match");
  EXPECT_EQ(get(jira(kSiteA, "issue/PROJ-1"), token).status, 200);
}

TEST_F(FakeAtlassianTest, SearchPaginatesToTheEndWithoutATokenOnTheLastPage) {
  const std::string token = connect().access;
  std::set<std::string> ids;
  std::string next;
  int pages = 0;
  for (;;) {
    std::string target =
        jira(kSiteA, "search/jql?jql=" + url_encode("project = PROJ") + "&maxResults=50");
    if (!next.empty()) target += "&nextPageToken=" + url_encode(next);
    auto reply = get(target, token);
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto page = json::parse(reply.body);
    ++pages;
    for (const auto& issue : page["issues"]) {
      EXPECT_EQ(issue.size(), 1u) << "fields default to the id only: " << issue.dump();
      ids.insert(issue["id"].get<std::string>());
    }
    if (!page.contains("nextPageToken")) {
      EXPECT_TRUE(page["isLast"].get<bool>());
      break;
    }
    EXPECT_FALSE(page["isLast"].get<bool>());
    next = page["nextPageToken"];
    ASSERT_LT(pages, 10) << "pagination does not end";
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 120u);
}

TEST_F(FakeAtlassianTest, SearchByPostReturnsTheRequestedFields) {
  const std::string token = connect().access;
  auto reply = post_json(
      jira(kSiteA, "search/jql"),
      {{"jql", "project = PROJ AND key = PROJ-7"}, {"fields", {"summary", "status"}}}, token);
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto page = json::parse(reply.body);
  ASSERT_EQ(page["issues"].size(), 1u);
  EXPECT_EQ(page["issues"][0]["key"], "PROJ-7");
  EXPECT_EQ(page["issues"][0]["fields"]["summary"], "Seed issue 7");
  EXPECT_FALSE(page["issues"][0]["fields"].contains("description"));
  EXPECT_TRUE(page["isLast"].get<bool>());
}

TEST_F(FakeAtlassianTest, SearchRejectsUnboundedJqlAndTheOldEndpointIsGone) {
  const std::string token = connect().access;
  const std::vector<std::string> queries = {"",
                                            "?jql=", "?jql=" + url_encode("order by created DESC"),
                                            "?jql=" + url_encode("project = NOPE")};
  for (const auto& query : queries) {
    auto reply = get(jira(kSiteA, "search/jql" + query), token);
    EXPECT_EQ(reply.status, 400) << query;
    EXPECT_FALSE(json::parse(reply.body)["errorMessages"].empty()) << query;
  }
  EXPECT_EQ(get(jira(kSiteA, "search?jql=project%3DPROJ"), token).status, 410);
  EXPECT_EQ(post_json(jira(kSiteA, "search"), {{"jql", "project = PROJ"}}, token).status, 410);
}

TEST_F(FakeAtlassianTest, CreateIssueValidatesFieldsAndGetIssueFindsIt) {
  const std::string token = connect().access;
  auto invalid = post_json(
      jira(kSiteA, "issue"),
      {{"fields", {{"project", {{"key", "PROJ"}}}, {"issuetype", {{"name", "Task"}}}}}}, token);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(json::parse(invalid.body)["errors"]["summary"],
            "You must specify a summary of the issue.");

  auto created = post_json(jira(kSiteA, "issue"),
                           {{"fields",
                             {{"project", {{"key", "PROJ"}}},
                              {"summary", "Printer on fire"},
                              {"issuetype", {{"name", "Bug"}}}}}},
                           token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto body = json::parse(created.body);
  EXPECT_EQ(body["key"], "PROJ-121");
  EXPECT_EQ(body["self"],
            server_->base_url() + jira(kSiteA, "issue/" + body["id"].get<std::string>()));

  auto fetched = json::parse(get(jira(kSiteA, "issue/PROJ-121"), token).body);
  EXPECT_EQ(fetched["fields"]["summary"], "Printer on fire");
  auto missing = get(jira(kSiteA, "issue/PROJ-9999"), token);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["errorMessages"][0],
            "Issue does not exist or you do not have permission to see it.");
}

TEST_F(FakeAtlassianTest, ConfluencePagesFollowTheRelativeNextLink) {
  const std::string token = connect().access;
  const std::string gateway = std::string("/ex/confluence/") + kSiteA;
  std::string target = gateway + "/wiki/api/v2/pages?limit=25";
  std::set<std::string> ids;
  int pages = 0;
  while (!target.empty()) {
    auto reply = get(target, token);
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto body = json::parse(reply.body);
    for (const auto& page : body["results"]) ids.insert(page["id"].get<std::string>());
    ++pages;
    target.clear();
    if (body["_links"].contains("next")) {
      const std::string next = body["_links"]["next"];
      EXPECT_EQ(next.rfind("/wiki/api/v2/pages?", 0), 0u) << next;
      EXPECT_EQ(reply.header("link"), "<" + next + ">; rel=\"next\"");
      target = gateway + next;  // relative to the site: prefix the gateway base
    } else {
      EXPECT_TRUE(reply.header("link").empty());
    }
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 60u);

  auto big = json::parse(get(gateway + "/wiki/api/v2/pages?limit=1000", token).body);
  EXPECT_EQ(big["results"].size(), 60u);
  EXPECT_EQ(get(gateway + "/wiki/rest/api/user/current", token).status, 200);
  EXPECT_EQ(get(gateway + "/wiki/rest/api/content", token).status, 410);
}

TEST_F(FakeAtlassianTest, CreatePageAnswers200AndConfluenceIsMissingOnAJiraOnlySite) {
  Options options;
  options.config.sites = 2;
  start(options);
  const std::string token = connect().access;
  const std::string pages = std::string("/ex/confluence/") + kSiteA + "/wiki/api/v2/pages";
  auto created = post_json(pages,
                           {{"spaceId", "456"},
                            {"status", "current"},
                            {"title", "New page"},
                            {"body", {{"representation", "storage"}, {"value", "<p>Hi</p>"}}}},
                           token);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(json::parse(created.body)["title"], "New page");
  EXPECT_EQ(post_json(pages, {{"title", "No space"}}, token).status, 400);
  auto missing = get(std::string("/ex/confluence/") + kSiteB + "/wiki/api/v2/pages", token);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["errors"][0]["code"], "NOT_FOUND");
}

TEST_F(FakeAtlassianTest, RateLimitFaultAnswersOnceThenTheRequestSucceeds) {
  const std::string token = connect().access;
  admin("POST", "faults",
        {{"path_prefix", "/ex/jira"}, {"action", "rate_limit"}, {"retry_after", 7}, {"count", 1}});
  auto limited = get(jira(kSiteA, "myself"), token);
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "7");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.header("ratelimit-reason"), "jira-burst-based");
  auto reset = parse_iso8601(limited.header("x-ratelimit-reset"));
  ASSERT_TRUE(reset) << limited.header("x-ratelimit-reset");
  EXPECT_GT(*reset, std::chrono::system_clock::now());
  EXPECT_EQ(json::parse(limited.body)["status"], 429);

  EXPECT_EQ(get(jira(kSiteA, "myself"), token).status, 200);
}

TEST_F(FakeAtlassianTest, RateLimitVariants) {
  const std::string token = connect().access;
  admin("POST", "faults",
        json::array({{{"action", "rate_limit"}, {"without_retry_after", true}},
                     {{"action", "rate_limit"}, {"quota", true}},
                     {{"action", "rate_limit"}, {"html", true}}}));
  auto gateway = get(jira(kSiteA, "myself"), token);
  EXPECT_EQ(gateway.status, 429);
  EXPECT_TRUE(gateway.header("retry-after").empty());
  EXPECT_EQ(gateway.header("x-failure-category"), "FAILURE CLIENT RATE LIMITED");
  auto quota = get(jira(kSiteA, "myself"), token);
  const int wait = std::stoi(quota.header("retry-after"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 3600);
  EXPECT_EQ(quota.header("ratelimit-reason"), "jira-quota-global-based");
  auto html = get(jira(kSiteA, "myself"), token);
  EXPECT_EQ(html.header("content-type").rfind("text/html", 0), 0u);
  EXPECT_EQ(get(jira(kSiteA, "myself"), token).status, 200);
}

TEST_F(FakeAtlassianTest, FaultsMatchPathPrefixAndMethod) {
  const std::string token = connect().access;
  admin("POST", "faults",
        {{"path_prefix", "/ex/jira"},
         {"method", "POST"},
         {"action", "status"},
         {"status", 503},
         {"headers", {{"Retry-After", "2"}}},
         {"body", "busy"},
         {"count", 2}});
  EXPECT_EQ(get(jira(kSiteA, "myself"), token).status, 200);
  EXPECT_EQ(get("/oauth/token/accessible-resources", token).status, 200);
  auto faulted = post_json(jira(kSiteA, "search/jql"), {{"jql", "project = PROJ"}}, token);
  EXPECT_EQ(faulted.status, 503);
  EXPECT_EQ(faulted.header("retry-after"), "2");
  EXPECT_EQ(faulted.body, "busy");
  EXPECT_EQ(admin("GET", "faults")["faults"][0]["count"], 1);
  EXPECT_EQ(admin("DELETE", "faults")["cleared"], 1);
  EXPECT_EQ(post_json(jira(kSiteA, "search/jql"), {{"jql", "project = PROJ"}}, token).status, 200);
}

TEST_F(FakeAtlassianTest, DropFaultClosesTheConnectionWithoutAnAnswer) {
  const std::string token = connect().access;
  admin("POST", "faults", {{"path_prefix", "/ex/jira"}, {"action", "drop"}});
  EXPECT_ANY_THROW(get(jira(kSiteA, "myself"), token));
  EXPECT_EQ(get(jira(kSiteA, "myself"), token).status, 200);
  EXPECT_EQ(admin("GET", "stats")["requests_by_path"][jira(kSiteA, "myself")], 2);
}

TEST_F(FakeAtlassianTest, DelayFaultWaitsThenAnswersNormally) {
  const std::string token = connect().access;
  admin("POST", "faults", {{"path_prefix", "/ex/jira"}, {"action", "delay"}, {"delay_ms", 300}});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get(jira(kSiteA, "myself"), token).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace ferry::fake_atlassian
