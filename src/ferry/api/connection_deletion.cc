#include "ferry/api/connection_deletion.h"

#include <nlohmann/json.hpp>

#include "ferry/actions/proxy_action_http.h"
#include "ferry/api/handler_support.h"
#include "ferry/atlassian/jira_webhook_registrar.h"
#include "ferry/auth/oauth2/revocation.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/json.h"
#include "ferry/observe/log.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// The revocation's outcome as the answer reports it, also written to the activity log.
json report_revocation(const Services& services, const config::Integration& integration,
            const store::Connection& connection, const Status& revoked,
            std::chrono::milliseconds took) {
  if (services.activity) {
    store::ActivityEntry entry;
    entry.level = revoked ? "info" : "warn";
    entry.type = "revocation";
    entry.provider_config_key = connection.provider_config_key;
    entry.connection_id = connection.connection_id;
    entry.method = "POST";
    entry.url = integration.auth.revocation_url;
    entry.duration_ms = took.count();
    entry.message = revoked ? "tokens revoked at the provider before deletion"
                            : "the provider did not revoke the tokens: " + revoked.error().message;
    services.activity->record(std::move(entry));
  }
  if (revoked) return {{"revoked", true}};
  observe::warn("revoking the tokens of {}: {}; the connection is deleted all the same",
                store::describe(connection.key()), revoked.error().message);
  return {{"revoked", false}, {"error", revoked.error().message}};
}

// Deletes the Jira webhooks Ferry registered for the connection, at Jira, while its token
// still works: nothing else would ever stop them until they lapse. Best effort: the
// outcome is reported and logged, and the deletion goes on either way.
boost::asio::awaitable<json> delete_jira_webhooks(const std::shared_ptr<const Services>& services,
                                                  const store::Connection& connection) {
  auto http = std::make_shared<actions::ProxyActionHttp>(services->proxy, std::size_t{1024 * 1024});
  const store::ConnectionKey key = connection.key();
  atlassian::JiraSender send = [http, key](actions::ActionRequest request)
      -> boost::asio::awaitable<Result<actions::ActionResponse>> {
    co_return co_await http->send(key, std::move(request));
  };
  atlassian::RegistrarDependencies deps{
      *services->store, *services->blocking, *services->clock,
      atlassian::jira_delivery_url(services->project->server, key.provider_config_key)};
  const Status deleted = co_await atlassian::delete_jira_webhooks(deps, key, send, {});
  json report = json::object();
  report["deleted"] = static_cast<bool>(deleted);
  if (!deleted) {
    report["error"] = deleted.error().message;
    observe::warn("deleting the Jira webhooks of {}: {}; the connection is deleted all the same",
                  store::describe(key), deleted.error().message);
  }
  co_return report;
}

}  // namespace

boost::asio::awaitable<http::Response> delete_connection(std::shared_ptr<const Services> services,
                                                         http::RequestContext& ctx,
                                                         store::ConnectionKey key) {
  store::Store& store = *services->store;
  auto existing = co_await services->blocking->run([&] { return store.find_connection(key); });
  if (!existing) co_return fail(ctx, existing.error());

  json webhooks;
  if (services->proxy && !atlassian::jira_webhooks(existing->connection_config).empty()) {
    webhooks = co_await delete_jira_webhooks(services, *existing);
  }

  json revocation;
  const auto found = services->project->integrations.find(key.provider_config_key);
  const config::Integration* integration =
      found == services->project->integrations.end() ? nullptr : &found->second;
  if (integration && !integration->auth.revocation_url.empty() && services->exchange &&
      existing->credentials.type == store::CredentialType::oauth2) {
    const auto started = std::chrono::steady_clock::now();
    const Status revoked = co_await auth::oauth2::revoke_tokens(*services->exchange, *integration,
                                                                existing->credentials);
    revocation = report_revocation(*services, *integration, *existing, revoked,
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started));
  }

  std::vector<store::OutboxEvent> deleted_events;
  if (services->events) {
    deleted_events = services->events->make(events::ConnectionEventKind::deleted, *existing,
                                            existing->version);
  }
  auto deleted = co_await services->blocking->run(
      [&] { return store.delete_connection(key, deleted_events); });
  if (!deleted) co_return fail(ctx, deleted.error());
  json answer = {{"success", true}};
  if (!revocation.is_null()) answer["revocation"] = std::move(revocation);
  if (!webhooks.is_null()) answer["jira_webhooks"] = std::move(webhooks);
  co_return http::json_response(http::StatusCode::ok, answer, ctx.request.version());
}

}  // namespace ferry::api
