// api.atlassian.com calls made with a token but outside a site: accessible-resources and /me
// (reference §2).
#include <algorithm>

#include "ferry/http/json.h"
#include "gateway.h"
#include "http_util.h"
#include "routes.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

json scopes_where(const Grant& grant, bool (*keep)(std::string_view)) {
  json out = json::array();
  for (const auto& scope : grant.scopes) {
    if (keep(scope)) out.push_back(scope);
  }
  return out;
}

bool any_product_scope(std::string_view scope) {
  return is_jira_scope(scope) || is_confluence_scope(scope);
}

json site_entry(const Site& site, json scopes) {
  return {{"id", site.id},
          {"name", site.name},
          {"url", site.url},
          {"scopes", std::move(scopes)},
          {"avatarUrl", site.avatar_url}};
}

// One entry per granted site; with duplicate_ids a Jira+Confluence site appears twice, once
// per product, with the same id [§2 ⚠]. The order flips on every call: Atlassian promises
// no order, so clients must not rely on one.
json resource_list(const Grant& grant, bool duplicate_ids, std::uint64_t call_number) {
  json out = json::array();
  for (const auto& id : grant.cloud_ids) {
    const Site* site = find_site(id);
    if (!site) continue;
    if (!site->has_confluence) {
      out.push_back(site_entry(*site, scopes_where(grant, is_jira_scope)));
    } else if (duplicate_ids) {
      out.push_back(site_entry(*site, scopes_where(grant, is_jira_scope)));
      out.push_back(site_entry(*site, scopes_where(grant, is_confluence_scope)));
    } else {
      out.push_back(site_entry(*site, scopes_where(grant, any_product_scope)));
    }
  }
  if (call_number % 2 == 1) std::reverse(out.begin(), out.end());
  return out;
}

http::Response accessible_resources(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  const std::string token = bearer_token(context);
  return state.locked([&](Shared& s) {
    auto check = s.tokens.check_access(token, s.now());
    if (check.state != TokenStore::AccessState::valid) {
      return gateway_error(http::StatusCode::unauthorized, "Unauthorized", version);
    }
    const std::uint64_t call = s.resource_listings++;
    return http::json_response(
        http::StatusCode::ok, resource_list(*check.grant, s.config.duplicate_site_ids, call), version);
  });
}

http::Response me(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  const std::string token = bearer_token(context);
  return state.locked([&](Shared& s) {
    auto check = s.tokens.check_access(token, s.now());
    if (check.state != TokenStore::AccessState::valid) {
      return gateway_error(http::StatusCode::unauthorized, "Unauthorized", version);
    }
    if (s.config.check_scopes && !check.grant->has_scope("read:me")) {
      return gateway_error(http::StatusCode::unauthorized, "Unauthorized; scope does not match",
                           version);
    }
    const Account& account = fake_account();
    return http::json_response(http::StatusCode::ok,
                               {{"account_type", "atlassian"},
                                {"account_id", account.account_id},
                                {"email", account.email},
                                {"name", account.display_name},
                                {"picture", "https://avatar-management.example/fake-user.png"},
                                {"account_status", "active"},
                                {"nickname", "fake"},
                                {"zoneinfo", account.time_zone},
                                {"locale", "en-US"},
                                {"extended_profile", json::object()}},
                               version);
  });
}

}  // namespace

void add_resource_routes(http::Router& router, std::shared_ptr<State> state) {
  router.add(
      http::Verb::get, "/oauth/token/accessible-resources",
      sync_handler([state](http::RequestContext& c) { return accessible_resources(*state, c); }));
  router.add(http::Verb::get, "/me",
             sync_handler([state](http::RequestContext& c) { return me(*state, c); }));
}

}  // namespace ferry::fake_atlassian
