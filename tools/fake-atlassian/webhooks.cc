#include "webhooks.h"

#include <algorithm>

#include "issue_json.h"
#include "jql.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

// An optional array-of-strings member: nullopt when absent, an error when malformed.
std::variant<std::optional<std::vector<std::string>>, std::string> string_list(const json& entry,
                                                                               const char* name) {
  if (!entry.contains(name)) return std::optional<std::vector<std::string>>();
  const json& value = entry[name];
  if (!value.is_array()) return std::string(name) + " must be an array of strings.";
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return std::string(name) + " must be an array of strings.";
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

bool owned_here(const Webhook& webhook, std::string_view client_id, std::string_view cloud_id) {
  return webhook.client_id == client_id && webhook.cloud_id == cloud_id;
}

}  // namespace

const std::vector<std::string>& webhook_events() {
  static const std::vector<std::string> events = {
      "jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "comment_created",
      "comment_updated",    "comment_deleted",    "issue_property_set", "issue_property_deleted"};
  return events;
}

bool is_webhook_event(std::string_view event) {
  const auto& events = webhook_events();
  return std::find(events.begin(), events.end(), event) != events.end();
}

std::variant<WebhookSpec, std::string> parse_webhook_spec(const json& entry) {
  if (!entry.is_object()) return std::string("A webhook must be a JSON object.");
  WebhookSpec spec;
  if (!entry.contains("jqlFilter") || !entry["jqlFilter"].is_string() ||
      entry["jqlFilter"].get<std::string>().empty()) {
    return std::string("The JQL filter is required.");
  }
  spec.jql_filter = entry["jqlFilter"];
  if (!entry.contains("events") || !entry["events"].is_array() || entry["events"].empty()) {
    return std::string("At least one event is required.");
  }
  for (const auto& event : entry["events"]) {
    if (!event.is_string() || !is_webhook_event(event.get<std::string>())) {
      return "The event " + event.dump() + " is not supported.";
    }
    spec.events.push_back(event.get<std::string>());
  }
  auto fields = string_list(entry, "fieldIdsFilter");
  if (auto* error = std::get_if<std::string>(&fields)) return *error;
  spec.field_ids_filter = std::get<0>(std::move(fields));
  auto keys = string_list(entry, "issuePropertyKeysFilter");
  if (auto* error = std::get_if<std::string>(&keys)) return *error;
  spec.issue_property_keys_filter = std::get<0>(std::move(keys));
  return spec;
}

json webhook_json(const Webhook& webhook) {
  json out = {{"id", webhook.id},
              {"jqlFilter", webhook.spec.jql_filter},
              {"events", webhook.spec.events},
              {"expirationDate", jira_time(webhook.expires)}};
  if (webhook.spec.field_ids_filter) out["fieldIdsFilter"] = *webhook.spec.field_ids_filter;
  if (webhook.spec.issue_property_keys_filter) {
    out["issuePropertyKeysFilter"] = *webhook.spec.issue_property_keys_filter;
  }
  out["url"] = webhook.url;
  return out;
}

bool WebhookStore::url_conflicts(std::string_view client_id, std::string_view cloud_id,
                                 std::string_view url, TimePoint now) const {
  return std::any_of(webhooks_.begin(), webhooks_.end(), [&](const auto& entry) {
    const Webhook& webhook = entry.second;
    return owned_here(webhook, client_id, cloud_id) && webhook.is_live(now) && webhook.url != url;
  });
}

Result<std::int64_t> WebhookStore::add(std::string client_id, std::string cloud_id, std::string url,
                                       WebhookSpec spec, TimePoint now) {
  if (live(client_id, cloud_id, now).size() >= kMaxWebhooksPerAppAndSite) {
    return Error{Errc::too_many_requests, "The app has reached the limit of " +
                                              std::to_string(kMaxWebhooksPerAppAndSite) +
                                              " webhooks on this site."};
  }
  if (webhooks_.size() >= kMaxStored) forget_expired(now);
  const std::int64_t id = next_id_++;
  webhooks_.emplace(id, Webhook{id, std::move(client_id), std::move(cloud_id), std::move(url),
                                std::move(spec), now + kWebhookLifetime});
  return id;
}

std::vector<const Webhook*> WebhookStore::live(std::string_view client_id,
                                               std::string_view cloud_id, TimePoint now) const {
  std::vector<const Webhook*> out;
  for (const auto& [id, webhook] : webhooks_) {
    if (owned_here(webhook, client_id, cloud_id) && webhook.is_live(now)) out.push_back(&webhook);
  }
  return out;
}

TimePoint WebhookStore::refresh(std::string_view client_id, std::string_view cloud_id,
                                const std::vector<std::int64_t>& ids, TimePoint now) {
  const TimePoint expires = now + kWebhookLifetime;
  for (const std::int64_t id : ids) {
    auto it = webhooks_.find(id);
    if (it == webhooks_.end()) continue;
    Webhook& webhook = it->second;
    if (owned_here(webhook, client_id, cloud_id) && webhook.is_live(now)) webhook.expires = expires;
  }
  return expires;
}

std::size_t WebhookStore::remove(std::string_view client_id, std::string_view cloud_id,
                                 const std::vector<std::int64_t>& ids) {
  std::size_t removed = 0;
  for (const std::int64_t id : ids) {
    auto it = webhooks_.find(id);
    if (it == webhooks_.end() || !owned_here(it->second, client_id, cloud_id)) continue;
    webhooks_.erase(it);
    ++removed;
  }
  return removed;
}

std::vector<DeliveryTarget> WebhookStore::targets(std::string_view cloud_id, std::string_view event,
                                                  const Issue& issue, TimePoint now) const {
  std::vector<DeliveryTarget> out;
  // Not a structured binding: the lambda below captures the webhook (clang 14 cannot).
  for (const auto& entry : webhooks_) {
    const Webhook& webhook = entry.second;
    if (webhook.cloud_id != cloud_id || !webhook.is_live(now)) continue;
    const auto& events = webhook.spec.events;
    if (std::find(events.begin(), events.end(), event) == events.end()) continue;
    if (!webhook_filter_matches(webhook.spec.jql_filter, issue)) continue;
    auto same = std::find_if(out.begin(), out.end(), [&webhook](const DeliveryTarget& target) {
      return target.url == webhook.url && target.client_id == webhook.client_id;
    });
    if (same == out.end()) {
      out.push_back(DeliveryTarget{webhook.url, webhook.client_id, {}});
      same = out.end() - 1;
    }
    same->webhook_ids.push_back(webhook.id);
  }
  return out;
}

void WebhookStore::forget_expired(TimePoint now) {
  std::erase_if(webhooks_, [now](const auto& entry) { return !entry.second.is_live(now); });
}

bool webhook_filter_matches(std::string_view jql, const Issue& issue) {
  auto query = parse_jql(jql);
  return !query || jql_matches(*query, issue);
}

}  // namespace ferry::fake_atlassian
