#pragma once

// The Jira dynamic webhooks Ferry registered for a connection, kept in the connection's
// connection_config under "jiraWebhooks" (so getConnection shows them):
//   [{"id": 10000, "events": [...], "jqlFilter": "...", "fieldIdsFilter": [...]?,
//     "expiresAt": ISO 8601, "registeredAt": ISO 8601, "refreshedAt"?: ISO 8601,
//     "lastError"?: "..."}]
// Read back tolerantly: the value may have been replaced through the API, so an entry that
// is not of this shape is skipped, never trusted. Pure.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/core/clock.h"

namespace ferry::atlassian {

inline constexpr std::string_view kJiraWebhooksKey = "jiraWebhooks";

struct JiraWebhook {
  std::int64_t id = 0;  // Jira's id, unique within the site
  std::vector<std::string> events;
  std::string jql_filter;
  std::vector<std::string> field_ids_filter;
  TimePoint expires_at{};
  TimePoint registered_at{};
  std::optional<TimePoint> refreshed_at;
  std::string last_error;  // the last refresh's failure; "" after a success
};

// The entries of `connection_config` that have the shape above (positive id, events,
// jqlFilter, parseable times), in stored order.
std::vector<JiraWebhook> jira_webhooks(const nlohmann::json& connection_config);

nlohmann::json to_json(const JiraWebhook& webhook);

// `connection_config` with its "jiraWebhooks" replaced by `webhooks` (removed when empty).
nlohmann::json with_jira_webhooks(nlohmann::json connection_config,
                                  const std::vector<JiraWebhook>& webhooks);

}  // namespace ferry::atlassian
