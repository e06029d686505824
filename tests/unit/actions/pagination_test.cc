#include "ferry/actions/pagination.h"

#include <gtest/gtest.h>

#include "actions_test_support.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;
using testing::ActionsFixture;
using testing::json_answer;

TEST(FindLink, PicksTheRelAskedFor) {
  struct Case {
    std::string header;
    std::string rel;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {R"(</wiki/api/v2/pages?cursor=abc>; rel="next")", "next", "/wiki/api/v2/pages?cursor=abc"},
      {R"(<https://x.test/a?p=1,2>; rel="prev", <https://x.test/a?p=3>; rel="next")", "next",
       "https://x.test/a?p=3"},
      {R"(<https://x.test/a>; rel="prev next")", "next", "https://x.test/a"},
      {R"(<https://x.test/a>; rel=next)", "next", "https://x.test/a"},
      {R"(<https://x.test/a>; rel="prev")", "next", std::nullopt},
      {"", "next", std::nullopt},
      {"<broken", "next", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(find_link(c.header, c.rel), c.expected) << c.header;
}

TEST(ResolveNextLink, TurnsLinksIntoEndpoints) {
  struct Case {
    std::string link;
    std::string prefix;
    std::string endpoint;
    Params params;
  };
  const std::string current = "/ex/confluence/c1/wiki/api/v2/pages";
  const std::vector<Case> cases = {
      {"/wiki/api/v2/pages?limit=5&cursor=a%2Bb", "/ex/confluence/c1",
       "/ex/confluence/c1/wiki/api/v2/pages", {{"limit", "5"}, {"cursor", "a+b"}}},
      {"/ex/confluence/c1/wiki/api/v2/pages?cursor=z", "/ex/confluence/c1/",
       "/ex/confluence/c1/wiki/api/v2/pages", {{"cursor", "z"}}},
      {"/wiki/api/v2/pages?cursor=z", "", "/wiki/api/v2/pages", {{"cursor", "z"}}},
      {"https://API.atlassian.com/ex/confluence/c1/wiki/api/v2/pages?cursor=q", "",
       "/ex/confluence/c1/wiki/api/v2/pages", {{"cursor", "q"}}},
      {"https://api.atlassian.com:443/x?cursor=q", "", "/x", {{"cursor", "q"}}},
      {"?cursor=r", "", current, {{"cursor", "r"}}},
      {"blogposts?cursor=s", "", "/ex/confluence/c1/wiki/api/v2/blogposts", {{"cursor", "s"}}},
  };
  for (const auto& c : cases) {
    auto next = resolve_next_link(c.link, current, "https://api.atlassian.com/", c.prefix);
    ASSERT_TRUE(next) << c.link << ": " << next.error().message;
    EXPECT_EQ(next->endpoint, c.endpoint) << c.link;
    EXPECT_EQ(next->params, c.params) << c.link;
  }
}

TEST(ResolveNextLink, RefusesLinksLeavingTheBaseUrl) {
  for (std::string_view link :
       {"https://evil.test/wiki/api/v2/pages?cursor=x", "http://api.atlassian.com/x",
        "https://api.atlassian.com:8443/x", "//evil.test/x", "https://user@api.atlassian.com/x"}) {
    auto next = resolve_next_link(link, "/x", "https://api.atlassian.com/", "");
    ASSERT_FALSE(next) << link;
    EXPECT_EQ(next.error().code, Errc::invalid_argument);
  }
  auto below = resolve_next_link("https://site.test/other/x", "/x", "https://site.test/wiki/", "");
  EXPECT_FALSE(below);
}

TEST(ParsePaginateOptions, ReportsProblems) {
  const std::vector<std::pair<json, std::string>> cases = {
      {json::object(), "type is required"},
      {{{"type", "pages"}}, "unknown type \"pages\""},
      {{{"type", "cursor"}}, "needs cursor_path_in_response"},
      {{{"type", "offset"}}, "needs offset_name_in_request"},
      {{{"type", "link"}, {"limti", 5}}, "unknown option \"limti\""},
      {{{"type", "link"}, {"limit", "5"}}, "limit must be an integer"},
      {{{"type", "link"}, {"limit", 0}}, "limit must be positive"},
      {{{"type", "offset"}, {"offset_name_in_request", "o"}, {"offset_calculation_method", "x"}},
       "offset_calculation_method"},
  };
  for (const auto& [spec, expected] : cases) {
    auto parsed = parse_paginate_options(spec);
    ASSERT_FALSE(parsed) << spec;
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos) << parsed.error().message;
  }
  auto preset = parse_paginate_options({{"type", "jira_start_at"}, {"response_path", "issues"}});
  ASSERT_TRUE(preset);
  EXPECT_EQ(preset->type, PaginationType::offset);
  EXPECT_EQ(preset->offset_name_in_request, "startAt");
  EXPECT_EQ(preset->response_path, "issues");
}

TEST(Paginator, StopsOnAnUnchangedCursorAndOnErrors) {
  auto options = parse_paginate_options({{"type", "cursor"},
                                         {"cursor_path_in_response", "next"},
                                         {"cursor_name_in_request", "cursor"},
                                         {"response_path", "items"}});
  ASSERT_TRUE(options);
  Paginator pages(ActionRequest{"GET", "/items", {}, {}, "", std::nullopt}, *options, "");
  const json page = {{"items", {1}}, {"next", "same"}};
  ASSERT_TRUE(pages.take_response({200, {}, page.dump()}, page));
  ASSERT_TRUE(pages.next_request());
  EXPECT_EQ(pages.next_request()->params, (Params{{"cursor", "same"}}));
  ASSERT_TRUE(pages.take_response({200, {}, page.dump()}, page));
  EXPECT_FALSE(pages.next_request());

  Paginator failing(ActionRequest{"GET", "/items", {}, {}, "", std::nullopt}, *options, "");
  auto refused = failing.take_response({404, {}, "nope"}, json(json::value_t::discarded));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("GET /items answered 404: nope"), std::string::npos);
  EXPECT_FALSE(failing.next_request());
}

class Paginate : public ActionsFixture {};

// A Jira search/jql lookalike: 5 issues, pages of maxResults, nextPageToken on all but the last.
Result<ActionResponse> jira_search(const ActionRequest& request) {
  int start = 0;
  int size = 50;
  for (const auto& [name, value] : request.params) {
    if (name == "nextPageToken") start = std::stoi(value.substr(1));
    if (name == "maxResults") size = std::stoi(value);
  }
  json issues = json::array();
  for (int i = start; i < std::min(start + size, 5); ++i) issues.push_back({{"key", "PROJ-" + std::to_string(i + 1)}});
  json body = {{"issues", issues}, {"isLast", start + size >= 5}};
  if (start + size < 5) body["nextPageToken"] = "t" + std::to_string(start + size);
  return json_answer(200, body);
}

TEST_F(Paginate, WalksJiraNextPageTokens) {
  responder_ = jira_search;
  write_action("search", R"(return function(nango)
    local keys = {}
    for issues in nango:paginate{ endpoint = "/rest/api/3/search/jql",
                                  params = { jql = "project = PROJ" },
                                  paginate = { type = "next_page_token", limit = 2,
                                               limit_name_in_request = "maxResults" } } do
      for _, issue in ipairs(issues) do keys[#keys + 1] = issue.key end
    end
    return keys
  end)");
  EXPECT_EQ(output_of("search"), (json{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5"}));
  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].params, (Params{{"jql", "project = PROJ"}, {"maxResults", "2"}}));
  EXPECT_EQ(requests[2].params,
            (Params{{"jql", "project = PROJ"}, {"maxResults", "2"}, {"nextPageToken", "t4"}}));
}

TEST_F(Paginate, WalksJiraStartAtUntilIsLastOrTotal) {
  responder_ = [](const ActionRequest& request) {
    int start = 0;
    for (const auto& [name, value] : request.params) {
      if (name == "startAt") start = std::stoi(value);
    }
    // Jira may return fewer than maxResults before the end: only total decides.
    json values = json::array();
    for (int i = start; i < std::min(start + 2, 5); ++i) values.push_back(i);
    return json_answer(200, {{"startAt", start}, {"maxResults", 3}, {"total", 5},
                             {"values", values}});
  };
  write_action("boards", R"(return function(nango)
    local all, pages = {}, 0
    for values, response in nango:paginate{ endpoint = "/rest/agile/1.0/board",
                                            paginate = { type = "jira_start_at", limit = 3 } } do
      pages = pages + 1
      assert(response.status == 200)
      for _, v in ipairs(values) do all[#all + 1] = v end
    end
    return { all = all, pages = pages }
  end)");
  EXPECT_EQ(output_of("boards"), (json{{"all", {0, 1, 2, 3, 4}}, {"pages", 3}}));
  EXPECT_EQ(http_->requests()[1].params, (Params{{"maxResults", "3"}, {"startAt", "2"}}));
}

TEST_F(Paginate, FollowsLinkHeadersAndBodyLinks) {
  // Confluence v2: links relative to the site, so the gateway prefix is put back.
  responder_ = [](const ActionRequest& request) {
    std::string cursor;
    for (const auto& [name, value] : request.params) {
      if (name == "cursor") cursor = value;
    }
    EXPECT_EQ(request.endpoint, "/ex/confluence/cloud-1/wiki/api/v2/pages");
    json body = {{"results", {{{"id", cursor.empty() ? "1" : cursor}}}}, {"_links", json::object()}};
    if (cursor.empty()) {
      return json_answer(200, body, {{"Link", R"(</wiki/api/v2/pages?cursor=2>; rel="next")"}});
    }
    if (cursor == "2") body["_links"]["next"] = "/wiki/api/v2/pages?cursor=3";
    return json_answer(200, body);
  };
  write_action("pages", R"(return function(nango)
    local base = "/ex/confluence/" .. nango:connection().connection_config.cloudId
    local ids = {}
    for pages in nango:paginate{ endpoint = base .. "/wiki/api/v2/pages",
                                 paginate = { type = "link", response_path = "results",
                                              link_path_in_response_body = "_links.next",
                                              link_prefix = base } } do
      for _, page in ipairs(pages) do ids[#ids + 1] = page.id end
    end
    return ids
  end)");
  EXPECT_EQ(output_of("pages"), (json{"1", "2", "3"}));
}

TEST_F(Paginate, OffsetPerPageStopsOnAShortPage) {
  responder_ = [](const ActionRequest& request) {
    int page = 0;
    for (const auto& [name, value] : request.params) {
      if (name == "page") page = std::stoi(value);
    }
    return json_answer(200, page < 2 ? json{1, 2} : json{3});
  };
  write_action("offset", R"(return function(nango)
    local n = 0
    for items in nango:paginate{ endpoint = "/items", paginate = {
        type = "offset", offset_name_in_request = "page", offset_start_value = 0,
        offset_calculation_method = "per-page", limit = 2, limit_name_in_request = "per_page" } } do
      n = n + #items
    end
    return n
  end)");
  EXPECT_EQ(output_of("offset"), 5);
  EXPECT_EQ(http_->requests().size(), 3u);
}

TEST_F(Paginate, FailedPagesAndEscapingLinksFailTheRun) {
  responder_ = [](const ActionRequest&) {
    return json_answer(200, {{"results", json::array({1})}},
                       {{"Link", R"(<https://evil.test/steal>; rel="next")"}});
  };
  write_action("escape", R"(return function(nango)
    for page in nango:paginate{ endpoint = "/x", paginate = { type = "link", response_path = "results" } } do end
  end)");
  EXPECT_NE(failure_of("escape").find("the next page link leaves the integration's base URL"),
            std::string::npos);
  EXPECT_EQ(http_->requests().size(), 1u);

  responder_ = [](const ActionRequest&) {
    return Result<ActionResponse>(ActionResponse{400, {}, R"({"errorMessages":["bad jql"]})"});
  };
  write_action("status", R"(return function(nango)
    for page in nango:paginate{ endpoint = "/search", paginate = { type = "next_page_token" } } do end
  end)");
  EXPECT_NE(failure_of("status").find(R"(GET /search answered 400: {"errorMessages":["bad jql"]})"),
            std::string::npos);
}

}  // namespace
}  // namespace ferry::actions
