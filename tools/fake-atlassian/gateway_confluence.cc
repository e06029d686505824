// The Confluence Cloud subset behind /ex/confluence/{cloudId}/wiki (reference §5): v2 pages
// with cursor paging, v1 user/current, and 410 for the removed v1 content endpoints.
#include <algorithm>
#include <set>

#include "confluence.h"
#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "gateway.h"
#include "http_util.h"
#include "jql.h"
#include "routes.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using Reply = http::Response;

constexpr const char* kPagesPath = "/wiki/api/v2/pages";
constexpr long long kDefaultLimit = 25;
constexpr long long kMaxLimit = 250;

const std::vector<std::string> kReadPages = {"read:page:confluence", "read:confluence-content.all",
                                             "read:confluence-content.summary"};

std::string query_value(const http::RequestContext& context, std::string_view name) {
  const std::string* value = context.query_param(name);
  return value ? *value : std::string();
}

std::set<std::string> csv_set(const std::string& text) {
  std::set<std::string> out;
  for (const auto& piece : split(text, ',')) {
    if (!trim(piece).empty()) out.emplace(trim(piece));
  }
  return out;
}

// The filters of a list call, as a canonical string: the cursor is only valid for them.
std::string filter_key(const http::RequestContext& context) {
  std::string key;
  for (const auto& [name, value] : context.query) {
    if (name != "cursor" && name != "limit") key += name + "=" + value + "&";
  }
  return key;
}

Reply list_pages(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_gateway_caller(
      state, context, Api::confluence_v2, kReadPages,
      [&](const Caller& caller, Shared& s) -> Reply {
        const SiteData& data = s.sites.at(caller.site.id);
        long long limit = kDefaultLimit;
        if (auto* text = context.query_param("limit")) {
          try {
            limit = std::stoll(*text);
          } catch (const std::exception&) {
            return v2_bad_request("limit must be an integer", version);
          }
          if (limit < 1) return v2_bad_request("limit must be at least 1", version);
          limit = std::min(limit, kMaxLimit);
        }
        const std::string body_format = query_value(context, "body-format");
        if (!body_format.empty() && body_format != "storage" && body_format != "atlas_doc_format") {
          return v2_bad_request("body-format must be storage or atlas_doc_format", version);
        }
        const std::string sort = query_value(context, "sort");
        if (!sort.empty() && sort != "id" && sort != "-id" && sort != "title" && sort != "-title" &&
            sort != "created-date" && sort != "-created-date") {
          return v2_bad_request("Unsupported sort: " + sort, version);
        }
        const auto ids = csv_set(query_value(context, "id"));
        const auto spaces = csv_set(query_value(context, "space-id"));
        auto statuses = csv_set(query_value(context, "status"));
        if (statuses.empty()) statuses = {"current", "archived"};
        const std::string title = query_value(context, "title");
        std::vector<const Page*> hits;
        for (const auto& page : data.pages) {
          if (!ids.empty() && !ids.count(page.id)) continue;
          if (!spaces.empty() && !spaces.count(page.space_id)) continue;
          if (!statuses.count(page.status)) continue;
          if (!title.empty() && page.title != title) continue;
          hits.push_back(&page);
        }
        if (sort == "title" || sort == "-title") {
          std::stable_sort(hits.begin(), hits.end(),
                           [](const Page* a, const Page* b) { return a->title < b->title; });
        }
        if (!sort.empty() && sort[0] == '-') std::reverse(hits.begin(), hits.end());
        const std::string filters = filter_key(context);
        std::size_t offset = 0;
        if (auto* cursor = context.query_param("cursor")) {
          auto parsed = parse_page_token(*cursor, filters);
          if (!parsed) return v2_bad_request("The cursor is invalid", version);
          offset = std::min(*parsed, hits.size());
        }
        const std::size_t end = std::min(hits.size(), offset + static_cast<std::size_t>(limit));
        json results = json::array();
        for (std::size_t i = offset; i < end; ++i)
          results.push_back(page_json(*hits[i], data, body_format));
        json links = {{"base", caller.site.url + "/wiki"}};
        std::string next;
        if (end < hits.size()) {
          std::vector<std::pair<std::string, std::string>> params;
          for (const auto& [name, value] : context.query) {
            if (name != "cursor" && name != "limit") params.emplace_back(name, value);
          }
          params.emplace_back("limit", std::to_string(limit));
          params.emplace_back("cursor", make_page_token(end, filters));
          // Relative to the site, not to the gateway: clients must prefix the gateway base [§5.1].
          next = append_query(kPagesPath, params);
          links["next"] = next;
        }
        Reply reply = http::json_response(
            http::StatusCode::ok, {{"results", std::move(results)}, {"_links", links}}, version);
        if (!next.empty()) reply.set(http::bhttp::field::link, "<" + next + ">; rel=\"next\"");
        return reply;
      });
}

Reply get_page(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_gateway_caller(
      state, context, Api::confluence_v2, kReadPages, [&](const Caller& caller, Shared& s) {
        const SiteData& data = s.sites.at(caller.site.id);
        const Page* page = data.find_page(context.path_params.at("id"));
        if (!page) return v2_error(http::StatusCode::not_found, "NOT_FOUND", "Not Found", version);
        return http::json_response(
            http::StatusCode::ok, page_json(*page, data, query_value(context, "body-format")), version);
      });
}

}  // namespace

nlohmann::json page_json(const Page& page, const SiteData& data, const std::string& body_format) {
  const Account& account = fake_account();
  const Project* space = data.find_space(page.space_id);
  const std::string created = format_iso8601(page.created);
  json out = {
      {"id", page.id},
      {"status", page.status},
      {"title", page.title},
      {"spaceId", page.space_id},
      {"parentId", page.parent_id.empty() ? json(nullptr) : json(page.parent_id)},
      {"parentType", page.parent_id.empty() ? json(nullptr) : json("page")},
      {"authorId", account.account_id},
      {"ownerId", account.account_id},
      {"createdAt", created},
      {"version",
       {{"number", 1},
        {"message", ""},
        {"minorEdit", false},
        {"authorId", account.account_id},
        {"createdAt", created}}},
      {"body", json::object()},
      {"_links",
       {{"webui", "/spaces/" + (space ? space->key : std::string("X")) + "/pages/" + page.id},
        {"editui", "/pages/resumedraft.action?draftId=" + page.id},
        {"tinyui", "/x/" + page.id}}}};
  if (!body_format.empty()) {
    out["body"][body_format] = {{"representation", body_format}, {"value", page.body}};
  }
  return out;
}

void add_confluence_routes(http::Router& router, std::shared_ptr<State> state) {
  auto route = [&](http::Verb verb, const std::string& path,
                   Reply (*fn)(State&, http::RequestContext&)) {
    router.add(verb, path,
               sync_handler([state, fn](http::RequestContext& c) { return fn(*state, c); }));
  };
  const std::string base = "/ex/confluence/{cloudId}";
  route(http::Verb::get, base + kPagesPath, list_pages);
  route(http::Verb::post, base + kPagesPath, create_page);
  route(http::Verb::get, base + kPagesPath + "/{id}", get_page);
  route(http::Verb::get, base + "/wiki/rest/api/user/current", current_user);
  for (auto verb : {http::Verb::get, http::Verb::post, http::Verb::put, http::Verb::delete_}) {
    route(verb, base + "/wiki/rest/api/{*rest}", v1_gone);
  }
}

}  // namespace ferry::fake_atlassian
