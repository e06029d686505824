#include "ferry/atlassian/delivery_routing.h"

#include <fmt/format.h>

#include <set>

#include "ferry/core/http_origin.h"
#include "ferry/core/url_parse.h"
#include "ferry/atlassian/jira_webhook_list.h"

namespace ferry::atlassian {
namespace {

using nlohmann::json;

constexpr const char* kLinkHolders[] = {"issue",   "comment", "user",   "worklog",
                                        "project", "sprint",  "board"};

std::string string_at(const json& object, const char* name) {
  if (!object.is_object()) return {};
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The cloud id of a gateway link: the segment after /ex/jira/ or /ex/confluence/.
std::string gateway_cloud_id(std::string_view url) {
  auto parsed = ferry::parse_uri(url);
  if (!parsed) return {};
  const auto segments = parsed->segments();
  auto it = segments.begin();
  if (it == segments.end() || *it != "ex") return {};
  if (++it == segments.end() || (*it != "jira" && *it != "confluence")) return {};
  if (++it == segments.end()) return {};
  return std::string(*it);
}

std::optional<DeliverySite> site_of_link(const std::string& link) {
  auto origin = http_origin(link);
  if (!origin) return std::nullopt;
  return DeliverySite{std::move(*origin), gateway_cloud_id(link)};
}

std::set<std::int64_t> matched_ids(const json& payload) {
  std::set<std::int64_t> ids;
  auto it = payload.find("matchedWebhookIds");
  if (it == payload.end() || !it->is_array()) return ids;
  for (const json& id : *it) {
    if (id.is_number_integer()) ids.insert(id.get<std::int64_t>());
  }
  return ids;
}

bool registered_any(const json& connection_config, const std::set<std::int64_t>& ids) {
  for (const JiraWebhook& webhook : jira_webhooks(connection_config)) {
    if (ids.count(webhook.id)) return true;
  }
  return false;
}

}  // namespace

std::optional<DeliverySite> delivery_site(const json& payload) {
  if (!payload.is_object()) return std::nullopt;
  if (auto site = site_of_link(string_at(payload, "self"))) return site;
  for (const char* holder : kLinkHolders) {
    auto it = payload.find(holder);
    if (it == payload.end()) continue;
    if (auto site = site_of_link(string_at(*it, "self"))) return site;
  }
  return std::nullopt;
}

bool is_on_site(const json& connection_config, const DeliverySite& site) {
  if (!site.cloud_id.empty()) return string_at(connection_config, "cloudId") == site.cloud_id;
  auto base = http_origin(string_at(connection_config, "baseUrl"));
  return base && *base == site.origin;
}

Route route_atlassian_delivery(const json& payload,
                               const std::vector<store::Connection>& connections) {
  Route route;
  auto site = delivery_site(payload);
  if (!site) {
    route.reason = "the delivery names no site: none of its self links is an http(s) URL";
    return route;
  }
  std::vector<const store::Connection*> on_site;
  for (const store::Connection& connection : connections) {
    if (is_on_site(connection.connection_config, *site)) on_site.push_back(&connection);
  }
  if (on_site.empty()) {
    route.reason = site->cloud_id.empty()
                       ? fmt::format("no connection is on the site {}", site->origin)
                       : fmt::format("no connection is on the site with cloud id {}",
                                     site->cloud_id);
    return route;
  }
  const std::set<std::int64_t> ids = matched_ids(payload);
  std::vector<const store::Connection*> owners;
  if (!ids.empty()) {
    for (const store::Connection* connection : on_site) {
      if (registered_any(connection->connection_config, ids)) owners.push_back(connection);
    }
  }
  for (const store::Connection* connection : owners.empty() ? on_site : owners) {
    route.connection_ids.push_back(connection->connection_id);
  }
  return route;
}

}  // namespace ferry::atlassian
