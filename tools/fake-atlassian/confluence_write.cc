// Confluence calls beyond listing pages: create a page (v2) and the v1 endpoints.
#include "confluence.h"
#include "ferry/http/json.h"
#include "gateway.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

const std::vector<std::string> kWritePages = {"write:page:confluence", "write:confluence-content"};
const std::vector<std::string> kReadUser = {"read:confluence-user", "read:user:confluence"};

std::string string_or_number(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return {};
}

bool title_taken(const SiteData& data, const std::string& space_id, const std::string& title) {
  for (const auto& page : data.pages) {
    if (page.space_id == space_id && page.status == "current" && page.title == title) return true;
  }
  return false;
}

// The page a create body describes, or the 400/404 to answer instead.
std::variant<Page, http::Response> page_from_request(const json& body, const SiteData& data,
                                                     unsigned version) {
  Page page;
  page.space_id = string_or_number(body.value("spaceId", json()));
  if (page.space_id.empty()) return v2_bad_request("spaceId is required", version);
  page.status = body.value("status", json("current")).is_string()
                    ? body.value("status", std::string("current"))
                    : std::string();
  if (page.status != "current" && page.status != "draft") {
    return v2_bad_request("status must be current or draft", version);
  }
  page.title = body.value("title", json("")).is_string() ? body.value("title", std::string()) : "";
  if (page.status == "current" && page.title.empty()) {
    return v2_bad_request("title is required for a current page", version);
  }
  if (!data.find_space(page.space_id)) {
    return v2_error(http::StatusCode::not_found, "NOT_FOUND", "Not Found", version,
                    "Space " + page.space_id + " does not exist or is not permitted");
  }
  page.parent_id = string_or_number(body.value("parentId", json()));
  if (!page.parent_id.empty() && !data.find_page(page.parent_id)) {
    return v2_error(http::StatusCode::not_found, "NOT_FOUND", "Not Found", version,
                    "Parent page " + page.parent_id + " does not exist");
  }
  page.representation = "storage";
  if (body.contains("body")) {
    const json& content = body["body"];
    const std::string representation =
        content.is_object() ? content.value("representation", "") : "";
    if (representation != "storage" && representation != "atlas_doc_format" &&
        representation != "wiki") {
      return v2_bad_request("body.representation must be storage, atlas_doc_format or wiki",
                            version);
    }
    if (!content.contains("value") || !content["value"].is_string()) {
      // ADF travels as a JSON string, not an object [§5.3].
      return v2_bad_request("body.value must be a string", version);
    }
    page.representation = representation;
    page.body = content["value"].get<std::string>();
  }
  if (page.status == "current" && title_taken(data, page.space_id, page.title)) {
    return v2_bad_request("A page with this title already exists in this space", version);
  }
  return page;
}

}  // namespace

http::Response v2_bad_request(const std::string& detail, unsigned version) {
  return v2_error(http::StatusCode::bad_request, "INVALID_REQUEST_PARAMETER", "Bad Request", version,
                  detail);
}

http::Response create_page(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_gateway_caller(
      state, context, Api::confluence_v2, kWritePages,
      [&](const Caller& caller, Shared& s) -> http::Response {
        auto body = json_object_body(context.request);
        if (!body) return v2_bad_request("The request body is not a JSON object", version);
        SiteData& data = s.sites.at(caller.site.id);
        auto draft = page_from_request(*body, data, version);
        if (auto* refused = std::get_if<http::Response>(&draft)) return std::move(*refused);
        Page page = std::get<Page>(std::move(draft));
        page.created = s.now();
        const Page& created = data.add_page(std::move(page));
        // 200, not 201 [§5.3].
        return http::json_response(http::StatusCode::ok,
                                   page_json(created, data, created.representation), version);
      });
}

http::Response current_user(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_gateway_caller(
      state, context, Api::confluence_v1, kReadUser, [&](const Caller& caller, Shared&) {
        const Account& account = fake_account();
        json user = {
            {"type", "known"},
            {"accountId", account.account_id},
            {"accountType", "atlassian"},
            {"email", account.email},
            {"publicName", account.display_name},
            {"profilePicture",
             {{"path", "/wiki/aa-avatar/" + account.account_id},
              {"width", 48},
              {"height", 48},
              {"isDefault", false}}},
            {"displayName", account.display_name},
            {"timeZone", account.time_zone},
            {"isGuest", false},
            {"_expandable", {{"operations", ""}, {"personalSpace", ""}}},
            {"_links",
             {{"self", caller.base_url + "/wiki/rest/api/user?accountId=" + account.account_id},
              {"base", caller.site.url + "/wiki"},
              {"context", "/wiki"}}}};
        return http::json_response(http::StatusCode::ok, user, version);
      });
}

http::Response v1_gone(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_gateway_caller(state, context, Api::confluence_v1, {}, [&](const Caller&, Shared&) {
    return http::json_response(
        http::StatusCode::gone,
        {{"statusCode", 410},
         {"message", "GoneException: This deprecated endpoint has been removed"}},
        version);
  });
}

}  // namespace ferry::fake_atlassian
