// The Jira Cloud REST v3 subset behind /ex/jira/{cloudId} (reference §4).
#include <algorithm>

#include "ferry/http/json.h"
#include "gateway.h"
#include "http_util.h"
#include "issue_json.h"
#include "jql.h"
#include "routes.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using Reply = http::Response;

constexpr const char* kApi = "/ex/jira/{cloudId}/rest/api/3";
constexpr std::size_t kDefaultMaxResults = 50;
constexpr std::size_t kMaxResultsIdsOnly = 5000;  // ids/keys only [§4.4]
constexpr std::size_t kMaxResultsWithFields = 100;

const std::vector<std::string> kReadUser = {"read:jira-user", "read:user:jira"};
const std::vector<std::string> kReadWork = {"read:jira-work", "read:issue:jira",
                                            "read:issue-details:jira"};
const std::vector<std::string> kWriteWork = {"write:jira-work", "write:issue:jira"};

template <class Fn>
Reply with_caller(State& state, http::RequestContext& context,
                  const std::vector<std::string>& scopes, Fn fn) {
  return with_gateway_caller(state, context, Api::jira, scopes, std::move(fn));
}

Reply myself(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, kReadUser, [&](const Caller& caller, Shared&) {
    return http::json_response(http::StatusCode::ok, myself_json(caller.base_url), version);
  });
}

Reply create_issue(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, kWriteWork, [&](const Caller& caller, Shared& s) {
    auto body = json_object_body(context.request);
    if (!body) {
      return error_collection(http::StatusCode::bad_request, {"The request body is not a JSON object."},
                              json::object(), version);
    }
    SiteData& data = s.sites.at(caller.site.id);
    auto draft = issue_from_request(*body, data, s.now());
    if (auto* errors = std::get_if<json>(&draft)) {
      return error_collection(http::StatusCode::bad_request, {}, *errors, version);
    }
    const Issue& issue = data.add_issue(std::get<Issue>(std::move(draft)));
    return http::json_response(http::StatusCode::created,
                               {{"id", issue.id},
                                {"key", issue.key},
                                {"self", caller.base_url + "/rest/api/3/issue/" + issue.id}},
                               version);
  });
}

std::vector<std::string> query_values(const http::RequestContext& context,
                                      const std::string& name) {
  std::vector<std::string> out;
  auto [first, last] = context.query.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

Reply get_issue(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, kReadWork, [&](const Caller& caller, Shared& s) {
    const Issue* issue = s.sites.at(caller.site.id).find_issue(context.path_params.at("key"));
    if (!issue) {
      return error_collection(http::StatusCode::not_found,
                              {"Issue does not exist or you do not have permission to see it."},
                              json::object(), version);
    }
    auto names = query_values(context, "fields");
    FieldSelection fields = names.empty() ? FieldSelection{true, {}, {}} : parse_fields(names);
    json out = issue_json(*issue, fields, caller.base_url);
    out["expand"] =
        "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations";
    return http::json_response(http::StatusCode::ok, out, version);
  });
}

// A search request, from the query string (GET) or the JSON body (POST).
struct SearchRequest {
  std::string jql;
  std::string next_page_token;
  std::optional<long long> max_results;
  FieldSelection fields;
};

std::variant<SearchRequest, std::string> read_search(const http::RequestContext& context) {
  SearchRequest out;
  if (context.request.method() == http::Verb::get) {
    if (auto* jql = context.query_param("jql")) out.jql = *jql;
    if (auto* token = context.query_param("nextPageToken")) out.next_page_token = *token;
    if (auto* max = context.query_param("maxResults")) {
      try {
        out.max_results = std::stoll(*max);
      } catch (const std::exception&) {
        return "maxResults must be an integer.";
      }
    }
    out.fields = parse_fields(query_values(context, "fields"));
    return out;
  }
  auto body = json_object_body(context.request);
  if (!body) return "The request body is not a JSON object.";
  if (body->contains("jql") && (*body)["jql"].is_string()) out.jql = (*body)["jql"];
  if (body->contains("nextPageToken") && (*body)["nextPageToken"].is_string()) {
    out.next_page_token = (*body)["nextPageToken"];
  }
  if (body->contains("maxResults")) {
    if (!(*body)["maxResults"].is_number_integer()) return "maxResults must be an integer.";
    out.max_results = (*body)["maxResults"].get<long long>();
  }
  std::vector<std::string> names;
  if (body->contains("fields") && (*body)["fields"].is_array()) {
    for (const auto& f : (*body)["fields"]) {
      if (f.is_string()) names.push_back(f.get<std::string>());
    }
  }
  out.fields = parse_fields(names);
  return out;
}

// Cursor paging: no startAt or total; nextPageToken is absent (not null) on the last page.
Reply run_search(const SearchRequest& request, const Caller& caller, const SiteData& data,
                 unsigned version) {
  auto bad = [&](const std::string& message) {
    return error_collection(http::StatusCode::bad_request, {message}, json::object(), version);
  };
  auto query = parse_jql(request.jql);
  if (!query) return bad(query.error().message);
  for (const auto& project : query->projects) {
    if (!data.find_project(project)) {
      return bad("The value '" + project + "' does not exist for the field 'project'.");
    }
  }
  std::vector<const Issue*> hits;
  for (const auto& issue : data.issues) {
    if (jql_matches(*query, issue)) hits.push_back(&issue);
  }
  if (query->descending) std::reverse(hits.begin(), hits.end());
  std::size_t offset = 0;
  if (!request.next_page_token.empty()) {
    auto parsed = parse_page_token(request.next_page_token, request.jql);
    if (!parsed) return bad("The provided next page token is invalid or expired.");
    offset = std::min(*parsed, hits.size());
  }
  const std::size_t cap = request.fields.id_only() ? kMaxResultsIdsOnly : kMaxResultsWithFields;
  const long long asked = request.max_results.value_or(static_cast<long long>(kDefaultMaxResults));
  const std::size_t page =
      static_cast<std::size_t>(std::clamp<long long>(asked, 1, static_cast<long long>(cap)));
  const std::size_t end = std::min(hits.size(), offset + page);
  json issues = json::array();
  for (std::size_t i = offset; i < end; ++i) {
    issues.push_back(issue_json(*hits[i], request.fields, caller.base_url));
  }
  json out = {{"issues", std::move(issues)}, {"isLast", end >= hits.size()}};
  if (end < hits.size()) out["nextPageToken"] = make_page_token(end, request.jql);
  return http::json_response(http::StatusCode::ok, out, version);
}

Reply search_jql(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, kReadWork, [&](const Caller& caller, Shared& s) {
    auto request = read_search(context);
    if (auto* error = std::get_if<std::string>(&request)) {
      return error_collection(http::StatusCode::bad_request, {*error}, json::object(), version);
    }
    return run_search(std::get<SearchRequest>(request), caller, s.sites.at(caller.site.id),
                      version);
  });
}

// The old search endpoints were removed in 2025 and answer 410 [§4.4].
Reply old_search(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, kReadWork, [&](const Caller&, Shared&) {
    return error_collection(
        http::StatusCode::gone,
        {"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
         "A full migration guideline is available at "
         "https://developer.atlassian.com/changelog/#CHANGE-2046"},
        json::object(), version);
  });
}

}  // namespace

void add_jira_routes(http::Router& router, std::shared_ptr<State> state) {
  auto route = [&](http::Verb verb, const std::string& path,
                   Reply (*fn)(State&, http::RequestContext&)) {
    router.add(verb, path,
               sync_handler([state, fn](http::RequestContext& c) { return fn(*state, c); }));
  };
  const std::string api = kApi;
  route(http::Verb::get, api + "/myself", myself);
  route(http::Verb::post, api + "/issue", create_issue);
  route(http::Verb::get, api + "/issue/{key}", get_issue);
  route(http::Verb::get, api + "/search/jql", search_jql);
  route(http::Verb::post, api + "/search/jql", search_jql);
  for (const char* version : {"2", "3"}) {
    const std::string old = std::string("/ex/jira/{cloudId}/rest/api/") + version + "/search";
    route(http::Verb::get, old, old_search);
    route(http::Verb::post, old, old_search);
  }
}

}  // namespace ferry::fake_atlassian
