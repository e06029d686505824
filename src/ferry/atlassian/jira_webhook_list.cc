#include "ferry/atlassian/jira_webhook_list.h"

namespace ferry::atlassian {
namespace {

using nlohmann::json;

std::optional<TimePoint> time_field(const json& entry, const char* name) {
  auto it = entry.find(name);
  if (it == entry.end() || !it->is_string()) return std::nullopt;
  auto parsed = parse_iso8601(it->get<std::string>());
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::optional<std::vector<std::string>> strings_field(const json& entry, const char* name) {
  auto it = entry.find(name);
  if (it == entry.end()) return std::vector<std::string>{};
  if (!it->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json& value : *it) {
    if (!value.is_string()) return std::nullopt;
    out.push_back(value.get<std::string>());
  }
  return out;
}

std::optional<JiraWebhook> read_entry(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  JiraWebhook webhook;
  auto id = entry.find("id");
  if (id == entry.end() || !id->is_number_integer() || id->get<std::int64_t>() <= 0) {
    return std::nullopt;
  }
  webhook.id = id->get<std::int64_t>();
  auto events = strings_field(entry, "events");
  auto fields = strings_field(entry, "fieldIdsFilter");
  auto jql = entry.find("jqlFilter");
  auto expires = time_field(entry, "expiresAt");
  auto registered = time_field(entry, "registeredAt");
  if (!events || events->empty() || !fields || jql == entry.end() || !jql->is_string() ||
      !expires || !registered) {
    return std::nullopt;
  }
  webhook.events = std::move(*events);
  webhook.field_ids_filter = std::move(*fields);
  webhook.jql_filter = jql->get<std::string>();
  webhook.expires_at = *expires;
  webhook.registered_at = *registered;
  webhook.refreshed_at = time_field(entry, "refreshedAt");
  if (auto error = entry.find("lastError"); error != entry.end() && error->is_string()) {
    webhook.last_error = error->get<std::string>();
  }
  return webhook;
}

}  // namespace

std::vector<JiraWebhook> jira_webhooks(const json& connection_config) {
  std::vector<JiraWebhook> out;
  if (!connection_config.is_object()) return out;
  auto list = connection_config.find(kJiraWebhooksKey);
  if (list == connection_config.end() || !list->is_array()) return out;
  for (const json& entry : *list) {
    if (auto webhook = read_entry(entry)) out.push_back(std::move(*webhook));
  }
  return out;
}

json to_json(const JiraWebhook& webhook) {
  json out = {{"id", webhook.id},
              {"events", webhook.events},
              {"jqlFilter", webhook.jql_filter},
              {"expiresAt", format_iso8601(webhook.expires_at)},
              {"registeredAt", format_iso8601(webhook.registered_at)}};
  if (!webhook.field_ids_filter.empty()) out["fieldIdsFilter"] = webhook.field_ids_filter;
  if (webhook.refreshed_at) out["refreshedAt"] = format_iso8601(*webhook.refreshed_at);
  if (!webhook.last_error.empty()) out["lastError"] = webhook.last_error;
  return out;
}

json with_jira_webhooks(json connection_config, const std::vector<JiraWebhook>& webhooks) {
  if (!connection_config.is_object()) connection_config = json::object();
  if (webhooks.empty()) {
    connection_config.erase(std::string(kJiraWebhooksKey));
    return connection_config;
  }
  json list = json::array();
  for (const JiraWebhook& webhook : webhooks) list.push_back(to_json(webhook));
  connection_config[std::string(kJiraWebhooksKey)] = std::move(list);
  return connection_config;
}

}  // namespace ferry::atlassian
