#include "ferry/atlassian/jira_webhook_registrar.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include "ferry/core/blocking_pool.h"
#include "ferry/store/store.h"

namespace ferry::atlassian {
namespace {

using nlohmann::json;
namespace net = boost::asio;

constexpr std::size_t kMaxSpecs = 20;
constexpr std::size_t kMaxJqlBytes = 2000;
constexpr std::string_view kWebhookEndpoint =
    "/ex/jira/${connectionConfig.cloudId}/rest/api/3/webhook";

constexpr std::string_view kJiraEvents[] = {
    "jira:issue_created", "jira:issue_updated", "jira:issue_deleted",     "comment_created",
    "comment_updated",    "comment_deleted",    "issue_property_set", "issue_property_deleted"};

bool is_jira_event(const std::string& name) {
  return std::find(std::begin(kJiraEvents), std::end(kJiraEvents), name) != std::end(kJiraEvents);
}

const json* field(const json& object, const char* camel, const char* snake) {
  auto it = object.find(camel);
  if (it != object.end()) return &*it;
  it = object.find(snake);
  return it != object.end() ? &*it : nullptr;
}

Result<std::vector<std::string>> string_list(const json* value, const std::string& where) {
  std::vector<std::string> out;
  if (!value) return out;
  if (!value->is_array() || value->size() > 100) {
    return Error{Errc::invalid_argument, where + " must be an array of at most 100 strings"};
  }
  for (const json& item : *value) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
        item.get_ref<const std::string&>().size() > 200) {
      return Error{Errc::invalid_argument, where + " must hold non-empty strings"};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<JiraWebhookSpec> parse_spec(const json& entry, std::size_t index) {
  const std::string where = fmt::format("webhooks[{}]", index);
  if (!entry.is_object()) return Error{Errc::invalid_argument, where + " must be an object"};
  JiraWebhookSpec spec;
  auto events = string_list(field(entry, "events", "events"), where + ".events");
  if (!events) return events.error();
  if (events->empty()) {
    return Error{Errc::invalid_argument, where + ".events must name at least one event"};
  }
  for (const std::string& event : *events) {
    if (!is_jira_event(event)) {
      return Error{Errc::invalid_argument,
                   fmt::format("{}.events: \"{}\" is not a Jira webhook event (expected one of "
                               "jira:issue_created, jira:issue_updated, jira:issue_deleted, "
                               "comment_created, comment_updated, comment_deleted, "
                               "issue_property_set, issue_property_deleted)",
                               where, event)};
    }
  }
  spec.events = std::move(*events);
  const json* jql = field(entry, "jqlFilter", "jql_filter");
  if (!jql || !jql->is_string() || jql->get_ref<const std::string&>().empty() ||
      jql->get_ref<const std::string&>().size() > kMaxJqlBytes) {
    return Error{Errc::invalid_argument,
                 where + ".jqlFilter must be a JQL filter of 1 to 2000 bytes (Jira requires "
                         "one, e.g. \"project = PROJ\")"};
  }
  spec.jql_filter = jql->get<std::string>();
  auto fields = string_list(field(entry, "fieldIdsFilter", "field_ids_filter"),
                            where + ".fieldIdsFilter");
  if (!fields) return fields.error();
  spec.field_ids_filter = std::move(*fields);
  return spec;
}

json spec_json(const JiraWebhookSpec& spec) {
  json out = {{"events", spec.events}, {"jqlFilter", spec.jql_filter}};
  if (!spec.field_ids_filter.empty()) out["fieldIdsFilter"] = spec.field_ids_filter;
  return out;
}

// What Jira said when it refused, for the message.
std::string jira_refusal(const actions::ActionResponse& response) {
  const json body = json::parse(response.body, nullptr, false);
  std::string said;
  if (body.is_object()) {
    for (const json& message : body.value("errorMessages", json::array())) {
      if (message.is_string()) said += " " + message.get<std::string>().substr(0, 200);
    }
  }
  return fmt::format("Jira answered {}{}", response.status, said.empty() ? "" : ":" + said);
}

Error upstream_refused(std::string_view what, const actions::ActionResponse& response) {
  return Error{Errc::upstream_unreachable,
               fmt::format("could not {} the Jira webhooks: {}", what, jira_refusal(response))};
}

actions::ActionRequest webhook_request(std::string method, std::string suffix, json body) {
  actions::ActionRequest request;
  request.method = std::move(method);
  request.endpoint = std::string(kWebhookEndpoint) + suffix;
  if (!body.is_null()) request.body = body.dump();
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

json ids_body(const std::vector<JiraWebhook>& webhooks) {
  json ids = json::array();
  for (const JiraWebhook& webhook : webhooks) ids.push_back(webhook.id);
  return {{"webhookIds", ids}};
}

// Rewrites the connection's webhook list with `edit`, retrying when the row changed between
// the read and the write. Blocks.
Result<std::vector<JiraWebhook>> edit_stored(
    store::Store& store, const store::ConnectionKey& key,
    const std::function<void(std::vector<JiraWebhook>&)>& edit) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto connection = store.find_connection(key);
    if (!connection) return connection.error();
    std::vector<JiraWebhook> webhooks = jira_webhooks(connection->connection_config);
    edit(webhooks);
    store::ConnectionUpdate update;
    update.connection_config = with_jira_webhooks(connection->connection_config, webhooks);
    update.expected_version = connection->version;
    auto updated = store.update_connection(key, update);
    if (updated) return webhooks;
    if (updated.error().code != Errc::conflict) return updated.error();
  }
  return Error{Errc::unavailable,
               "the connection kept changing while its webhooks were saved; try again"};
}

Result<std::vector<JiraWebhook>> stored(store::Store& store, const store::ConnectionKey& key) {
  auto connection = store.find_connection(key);
  if (!connection) return connection.error();
  return jira_webhooks(connection->connection_config);
}

}  // namespace

bool is_atlassian(const config::Integration& integration) {
  return std::find(integration.post_connection.begin(), integration.post_connection.end(),
                   "atlassian_accessible_resources") != integration.post_connection.end();
}

std::string jira_delivery_url(const config::ServerConfig& server, const std::string& key) {
  std::string root = server.server_root_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root + "/webhooks/incoming/" + key;
}

Status check_jira_webhook_target(const config::Integration& integration, bool forwarding,
                                 const store::Connection& connection) {
  if (!is_atlassian(integration)) {
    return Error{Errc::invalid_argument,
                 fmt::format("integration \"{}\" is not an Atlassian integration: only Jira "
                             "webhooks can be registered through Ferry",
                             integration.key)};
  }
  if (!forwarding) {
    return Error{Errc::invalid_argument,
                 "set webhook_url in ferry.yaml first: Jira's deliveries are forwarded there"};
  }
  const json cloud_id = connection.connection_config.is_object()
                            ? connection.connection_config.value("cloudId", json())
                            : json();
  if (!cloud_id.is_string() || cloud_id.get_ref<const std::string&>().empty()) {
    return Error{Errc::invalid_argument,
                 fmt::format("{} has no site chosen yet (connectionConfig.cloudId): choose one "
                             "with PUT /connections/{{id}}/site first",
                             store::describe(connection.key()))};
  }
  return ok();
}

Result<std::vector<JiraWebhookSpec>> parse_jira_webhook_specs(const json& body) {
  if (!body.is_object()) {
    return Error{Errc::invalid_argument, "the body must be a JSON object"};
  }
  json entries = json::array({body});
  if (auto list = body.find("webhooks"); list != body.end()) {
    if (!list->is_array() || list->empty() || list->size() > kMaxSpecs) {
      return Error{Errc::invalid_argument, "webhooks must be an array of 1 to 20 webhooks"};
    }
    entries = *list;
  }
  std::vector<JiraWebhookSpec> specs;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto spec = parse_spec(entries[i], i);
    if (!spec) return spec.error();
    specs.push_back(std::move(*spec));
  }
  return specs;
}

net::awaitable<Result<json>> register_jira_webhooks(RegistrarDependencies deps,
                                                     const store::ConnectionKey& key,
                                                     JiraSender send,
                                                     std::vector<JiraWebhookSpec> specs) {
  // Built outside the co_await: GCC 12 rejects a braced list inside co_await/co_return.
  json registration = json::object();
  registration["url"] = deps.delivery_url;
  registration["webhooks"] = json::array();
  for (const JiraWebhookSpec& spec : specs) registration["webhooks"].push_back(spec_json(spec));
  actions::ActionRequest request = webhook_request("POST", "", std::move(registration));
  auto response = co_await send(std::move(request));
  if (!response) co_return response.error();
  if (response->status != 200) co_return upstream_refused("register", *response);
  const json answer = json::parse(response->body, nullptr, false);
  const json results = answer.is_object() ? answer.value("webhookRegistrationResult", json())
                                          : json();
  if (!results.is_array() || results.size() != specs.size()) {
    co_return Error{Errc::upstream_unreachable,
                    "Jira's answer to the webhook registration has no result per webhook"};
  }
  const TimePoint now = deps.clock.now();
  std::vector<JiraWebhook> created;
  json shown = json::array();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const json& result = results[i];
    const json id = result.is_object() ? result.value("createdWebhookId", json()) : json();
    if (!id.is_number_integer() || id.get<std::int64_t>() <= 0) {
      json errors = result.is_object() ? result.value("errors", json::array()) : json::array();
      shown.push_back({{"errors", errors.is_array() ? errors : json::array()}});
      continue;
    }
    JiraWebhook webhook;
    webhook.id = id.get<std::int64_t>();
    webhook.events = specs[i].events;
    webhook.jql_filter = specs[i].jql_filter;
    webhook.field_ids_filter = specs[i].field_ids_filter;
    webhook.registered_at = now;
    webhook.expires_at = now + kJiraWebhookLifetime;
    created.push_back(webhook);
    shown.push_back(to_json(webhook));
  }
  if (!created.empty()) {
    auto saved = co_await deps.blocking.run([&] {
      return edit_stored(deps.store, key, [&](std::vector<JiraWebhook>& list) {
        std::erase_if(list, [&](const JiraWebhook& old) {
          return std::any_of(created.begin(), created.end(),
                             [&](const JiraWebhook& w) { return w.id == old.id; });
        });
        list.insert(list.end(), created.begin(), created.end());
      });
    });
    if (!saved) {
      std::string ids;
      for (const JiraWebhook& webhook : created) ids += " " + std::to_string(webhook.id);
      co_return Error{saved.error().code,
                      fmt::format("Jira registered webhooks{} but they could not be saved on "
                                  "the connection: {}",
                                  ids, saved.error().message)};
    }
  }
  json answer_shown = json::object();
  answer_shown["webhooks"] = std::move(shown);
  co_return answer_shown;
}

net::awaitable<Result<std::vector<JiraWebhook>>> refresh_jira_webhooks(
    RegistrarDependencies deps, const store::ConnectionKey& key, JiraSender send) {
  auto current = co_await deps.blocking.run([&] { return stored(deps.store, key); });
  if (!current) co_return current.error();
  if (current->empty()) co_return std::move(*current);
  actions::ActionRequest refresh = webhook_request("PUT", "/refresh", ids_body(*current));
  auto response = co_await send(std::move(refresh));
  const TimePoint now = deps.clock.now();
  std::optional<TimePoint> expires;
  std::string failure;
  if (!response) {
    failure = response.error().message;
  } else if (response->status != 200) {
    failure = jira_refusal(*response);
  } else {
    const json answer = json::parse(response->body, nullptr, false);
    const json date = answer.is_object() ? answer.value("expirationDate", json()) : json();
    if (date.is_number_integer() && date.get<std::int64_t>() > 0) {
      expires = TimePoint{} + std::chrono::milliseconds(date.get<std::int64_t>());
    } else {
      failure = "Jira's refresh answer has no expirationDate";
    }
  }
  std::set<std::int64_t> refreshed;
  for (const JiraWebhook& webhook : *current) refreshed.insert(webhook.id);
  auto saved = co_await deps.blocking.run([&] {
    return edit_stored(deps.store, key, [&](std::vector<JiraWebhook>& list) {
      for (JiraWebhook& webhook : list) {
        if (!refreshed.count(webhook.id)) continue;  // registered meanwhile: fresh already
        if (expires) {
          webhook.expires_at = *expires;
          webhook.refreshed_at = now;
          webhook.last_error.clear();
        } else {
          webhook.last_error = failure.substr(0, 500);
        }
      }
    });
  });
  if (!saved) co_return saved.error();
  if (!expires) {
    co_return Error{Errc::upstream_unreachable,
                    fmt::format("could not refresh the Jira webhooks: {}", failure)};
  }
  co_return std::move(*saved);
}

net::awaitable<Status> delete_jira_webhooks(RegistrarDependencies deps,
                                            const store::ConnectionKey& key, JiraSender send,
                                            std::vector<std::int64_t> ids) {
  auto current = co_await deps.blocking.run([&] { return stored(deps.store, key); });
  if (!current) co_return current.error();
  std::vector<JiraWebhook> doomed;
  for (const JiraWebhook& webhook : *current) {
    if (ids.empty() || std::count(ids.begin(), ids.end(), webhook.id)) doomed.push_back(webhook);
  }
  if (doomed.size() != (ids.empty() ? current->size() : ids.size())) {
    co_return Error{Errc::not_found,
                    fmt::format("{} has no such Jira webhook registered through Ferry",
                                store::describe(key))};
  }
  if (doomed.empty()) co_return ok();
  actions::ActionRequest removal = webhook_request("DELETE", "", ids_body(doomed));
  auto response = co_await send(std::move(removal));
  if (!response) co_return response.error();
  if (response->status != 202 && response->status != 200 && response->status != 204) {
    co_return upstream_refused("delete", *response);
  }
  std::set<std::int64_t> gone;
  for (const JiraWebhook& webhook : doomed) gone.insert(webhook.id);
  auto saved = co_await deps.blocking.run([&] {
    return edit_stored(deps.store, key, [&](std::vector<JiraWebhook>& list) {
      std::erase_if(list, [&](const JiraWebhook& webhook) { return gone.count(webhook.id) > 0; });
    });
  });
  if (!saved) co_return saved.error();
  co_return ok();
}

ActionWebhookRegistration action_webhook_registration(
    std::shared_ptr<const config::Project> project, std::shared_ptr<store::Store> store,
    std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock, bool forwarding) {
  return [project, store, blocking, clock, forwarding](
             const store::ConnectionKey& key, JiraSender send,
             json spec) -> net::awaitable<Result<json>> {
    const config::Integration* integration = project->find_integration(key.provider_config_key);
    if (!integration) {
      co_return Error{Errc::not_found, "unknown integration \"" + key.provider_config_key + "\""};
    }
    auto connection = co_await blocking->run([&] { return store->find_connection(key); });
    if (!connection) co_return connection.error();
    if (auto target = check_jira_webhook_target(*integration, forwarding, *connection); !target) {
      co_return target.error();
    }
    auto specs = parse_jira_webhook_specs(spec);
    if (!specs) co_return specs.error();
    RegistrarDependencies deps{*store, *blocking, *clock,
                               jira_delivery_url(project->server, key.provider_config_key)};
    co_return co_await register_jira_webhooks(deps, key, std::move(send), std::move(*specs));
  };
}

}  // namespace ferry::atlassian
