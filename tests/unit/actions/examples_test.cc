// The actions `ferry init` ships, run against an ActionHttp that answers like Atlassian.

#include <gtest/gtest.h>

#include "actions_test_support.h"
#include "ferry/config/scaffold.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using testing::ActionsFixture;
using testing::json_answer;

std::string param(const ActionRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.params) {
    if (key == name) return value;
  }
  return "";
}

class Examples : public ActionsFixture {
 protected:
  void SetUp() override {
    ActionsFixture::SetUp();
    ASSERT_TRUE(config::scaffold_project(folder_.path() / "demo"));
    registry_ = std::make_shared<ActionRegistry>(folder_.path() / "demo");
    ReloadReport report = registry_->reload();
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(report.added, (std::vector<std::string>{"confluence/list-pages",
                                                      "jira/create-issue", "jira/search-issues"}));
    make_runner();
  }
};

TEST_F(Examples, CreateIssueSendsAnAdfDescription) {
  responder_ = [](const ActionRequest& request) {
    json body = json::parse(request.body);
    if (!body["fields"].contains("summary")) {
      return json_answer(400, {{"errors", {{"summary", "required"}}}});
    }
    return json_answer(201, {{"id", "10121"}, {"key", "PROJ-121"}, {"self", "http://x/10121"}});
  };
  json output = output_of("create-issue", {{"project_key", "PROJ"},
                                           {"summary", "Printer on fire"},
                                           {"description", "Third floor."}});
  EXPECT_EQ(output, (json{{"id", "10121"}, {"key", "PROJ-121"}}));
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].endpoint, "/ex/jira/${connectionConfig.cloudId}/rest/api/3/issue");
  json fields = json::parse(requests[0].body)["fields"];
  EXPECT_EQ(fields["project"], (json{{"key", "PROJ"}}));
  EXPECT_EQ(fields["issuetype"], (json{{"name", "Task"}}));
  EXPECT_EQ(fields["description"],
            json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph",
                            "content":[{"type":"text","text":"Third floor."}]}]})"));

  ActionOutcome missing = run("create-issue", {{"project_key", "PROJ"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.failure->message, "project_key and summary are required");
  EXPECT_EQ(run("create-issue").failure->message, "project_key and summary are required");
}

// 120 issues like the fake's project PROJ, served through nextPageToken pages.
Result<ActionResponse> search_jql(const ActionRequest& request) {
  const int size = std::stoi(param(request, "maxResults"));
  const std::string token = param(request, "nextPageToken");
  const int start = token.empty() ? 0 : std::stoi(token);
  json issues = json::array();
  for (int i = start; i < std::min(start + size, 120); ++i) {
    issues.push_back({{"id", std::to_string(10001 + i)},
                      {"key", "PROJ-" + std::to_string(i + 1)},
                      {"fields", {{"summary", "Issue " + std::to_string(i + 1)},
                                  {"status", {{"name", "To Do"}}}}}});
  }
  json body = {{"issues", issues}, {"isLast", start + size >= 120}};
  if (start + size < 120) body["nextPageToken"] = std::to_string(start + size);
  return json_answer(200, body);
}

TEST_F(Examples, SearchIssuesWalksEveryPage) {
  responder_ = search_jql;
  json output = output_of("search-issues", {{"jql", "project = PROJ ORDER BY key"}});
  ASSERT_EQ(output["issues"].size(), 120u);
  EXPECT_EQ(output["issues"][0],
            (json{{"id", "10001"}, {"key", "PROJ-1"}, {"summary", "Issue 1"}, {"status", "To Do"}}));
  EXPECT_EQ(output["issues"][119]["key"], "PROJ-120");
  EXPECT_EQ(output["truncated"], false);
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].endpoint, "/ex/jira/${connectionConfig.cloudId}/rest/api/3/search/jql");
  EXPECT_EQ(param(requests[0], "fields"), "summary,status");
  EXPECT_EQ(param(requests[1], "nextPageToken"), "100");

  json some = output_of("search-issues", {{"jql", "project = PROJ"}, {"max_results", 5}});
  EXPECT_EQ(some["issues"].size(), 5u);
  EXPECT_EQ(some["truncated"], true);
  EXPECT_EQ(run("search-issues").failure->message, "jql is required");
}

TEST_F(Examples, SearchIssuesAnswersAnEmptyArrayWhenNothingMatches) {
  responder_ = [](const ActionRequest&) {
    return json_answer(200, {{"issues", json::array()}, {"isLast", true}});
  };
  EXPECT_EQ(output_of("search-issues", {{"jql", "project = NONE"}}).dump(),
            R"({"issues":[],"truncated":false})");
}

// 60 pages, at most 25 an answer, each answer linking to the next relative to the site.
Result<ActionResponse> confluence_pages(const ActionRequest& request) {
  EXPECT_EQ(request.endpoint, "/ex/confluence/cloud-1/wiki/api/v2/pages");
  const int limit = std::min(25, std::stoi(param(request, "limit")));
  const std::string cursor = param(request, "cursor");
  const int start = cursor.empty() ? 0 : std::stoi(cursor);
  json results = json::array();
  for (int i = start; i < std::min(start + limit, 60); ++i) {
    results.push_back({{"id", std::to_string(100001 + i)}, {"title", "Page " + std::to_string(i)},
                       {"spaceId", "456"}, {"status", "current"}});
  }
  json body = {{"results", results}, {"_links", {{"base", "https://acme.atlassian.net/wiki"}}}};
  std::vector<std::pair<std::string, std::string>> headers;
  if (start + limit < 60) {
    std::string next = "/wiki/api/v2/pages?space-id=456&limit=" + std::to_string(limit) +
                       "&cursor=" + std::to_string(start + limit);
    body["_links"]["next"] = next;
    headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
  }
  return json_answer(200, body, headers);
}

TEST_F(Examples, ListPagesFollowsSiteRelativeLinks) {
  responder_ = confluence_pages;
  ActionOutcome outcome = run("list-pages", {{"space_id", "456"}}, "confluence");
  ASSERT_TRUE(outcome.ok()) << outcome.failure->message;
  ASSERT_EQ(outcome.output["pages"].size(), 60u);
  EXPECT_EQ(outcome.output["pages"][59],
            (json{{"id", "100060"}, {"title", "Page 59"}, {"space_id", "456"}, {"status", "current"}}));
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(param(requests[0], "space-id"), "456");
  EXPECT_EQ(param(requests[2], "cursor"), "50");
  EXPECT_EQ(param(requests[2], "space-id"), "456");
  EXPECT_EQ(http_->keys()[0], (store::ConnectionKey{"confluence", "u1"}));
}

TEST_F(Examples, ListPagesStopsAtMaxPages) {
  responder_ = confluence_pages;
  ActionOutcome outcome = run("list-pages", {{"max_pages", 5}}, "confluence");
  ASSERT_TRUE(outcome.ok()) << outcome.failure->message;
  EXPECT_EQ(outcome.output["pages"].size(), 5u);
  EXPECT_EQ(outcome.output["truncated"], true);
}

}  // namespace
}  // namespace ferry::actions
