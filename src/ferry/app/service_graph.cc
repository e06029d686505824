#include "ferry/app/service_graph.h"

#include "ferry/actions/action_registry.h"
#include "ferry/actions/action_runner.h"
#include "ferry/actions/async_actions.h"
#include "ferry/actions/proxy_action_http.h"
#include "ferry/api/dashboard_sessions.h"
#include "ferry/api/embedded_dashboard.h"
#include "ferry/api/routes.h"
#include "ferry/api/services.h"
#include "ferry/api/websocket.h"
#include "ferry/atlassian/jira_webhook_keeper.h"
#include "ferry/atlassian/jira_webhook_registrar.h"
#include "ferry/auth/oauth2/keep_alive.h"
#include "ferry/auth/oauth2/refresher.h"
#include "ferry/core/egress_policy.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/http/server/router.h"
#include "ferry/observe/ferry_metrics.h"
#include "ferry/observe/log.h"
#include "ferry/observe/metric_history.h"
#include "ferry/proxy/proxy_dependencies.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/write_through_store.h"
#include "ferry/webhooks/dispatcher.h"

namespace ferry::app {

namespace {

Result<std::shared_ptr<http::UpstreamEngine>> make_engine(const config::Project& project,
                                                          http::ProxySettings outbound_proxy,
                                                          const IoWorkers& workers) {
  http::EngineOptions options;
  options.connector.ca_file = project.server.ca_file;
  options.connector.proxy = std::move(outbound_proxy);
  auto egress = EgressPolicy::make(project.server.egress_allow);
  if (!egress) return egress.error();
  options.connector.egress = std::move(*egress);
  return http::UpstreamEngine::create(std::move(options), workers);
}

std::shared_ptr<auth::oauth2::Refresher> make_refresher(const ServiceGraphInputs& in,
                                                        const api::Services& services,
                                                        std::shared_ptr<store::ConnectionCache> cache) {
  auth::oauth2::RefresherDependencies deps;
  deps.project = in.project;
  deps.store = services.store;
  deps.cache = std::move(cache);
  deps.exchange = services.exchange;
  deps.blocking = in.blocking;
  deps.activity = services.activity;
  deps.events = services.events;
  return std::make_shared<auth::oauth2::Refresher>(std::move(deps));
}

std::shared_ptr<proxy::ProxyDependencies> make_proxy(const ServiceGraphInputs& in,
                                                     const api::Services& services) {
  auto proxy = std::make_shared<proxy::ProxyDependencies>();
  proxy->project = proxy::PreparedProject::build(in.project);
  proxy->exchange = services.exchange;
  proxy->credentials = services.credentials;
  proxy->activity = services.activity;
  proxy->quota_pauses = std::make_shared<proxy::QuotaBoard>(in.workers);
  return proxy;
}

// Actions' upstream calls take the proxy's pipeline, in process.
std::shared_ptr<actions::ActionRunner> make_action_runner(
    const ServiceGraphInputs& in, const api::Services& services,
    std::shared_ptr<store::ConnectionCache> cache,
    std::shared_ptr<actions::ActionRegistry> registry) {
  const auto& server = in.project->server;
  actions::RunnerDependencies deps;
  deps.project = in.project;
  deps.store = services.store;
  deps.blocking = in.blocking;
  deps.connections = std::move(cache);
  deps.registry = std::move(registry);
  deps.http = std::make_shared<actions::ProxyActionHttp>(services.proxy);
  deps.activity = services.activity;
  deps.lua_threads = std::make_shared<BlockingPool>(server.action_threads);
  deps.register_webhooks = atlassian::action_webhook_registration(
      in.project, services.store, in.blocking, services.clock,
      services.events && services.events->enabled());
  actions::RunnerOptions options;
  options.limits.cpu_time = server.action_cpu_time;
  options.limits.memory_bytes = server.action_memory_bytes;
  return std::make_shared<actions::ActionRunner>(std::move(deps), options);
}

// What other instances sharing the database announce reaches this one's connection cache
// and websocket clients. The handlers run on the store's listener thread; both targets
// are thread-safe and return at once (the cache posts to its workers).
Result<std::shared_ptr<store::Peers>> join_peers(store::Store& database,
                                                 std::shared_ptr<store::ConnectionCache> cache,
                                                 std::shared_ptr<api::WebsocketHub> websockets) {
  store::PeerHandlers handlers;
  handlers.connection_changed = [cache](const store::ConnectionKey& key) {
    cache->invalidate(key);
  };
  handlers.all_connections_changed = [cache] { cache->invalidate_all(); };
  handlers.flow_result = [websockets](const std::string& ws_client_id,
                                      const nlohmann::json& message) {
    websockets->notify(ws_client_id, message);
  };
  auto joined = database.join_peers(std::move(handlers));
  if (!joined) return joined.error();
  return std::shared_ptr<store::Peers>(std::move(*joined));
}

// Delivers the outbox to the configured receiver; null without one. Runs on the first I/O
// worker (its work is one request at a time and store calls on the blocking pool).
std::shared_ptr<webhooks::Dispatcher> make_dispatcher(const ServiceGraphInputs& in,
                                                      const api::Services& services) {
  const auto& server = in.project->server;
  if (server.webhook_url.empty()) return nullptr;
  webhooks::DispatcherOptions options;
  options.url = server.webhook_url;
  options.signing_key =
      server.webhook_signing_key.empty() ? server.secret_key : server.webhook_signing_key;
  options.policy.max_age = server.webhook_max_retry_age;
  return std::make_shared<webhooks::Dispatcher>(std::move(options), in.database,
                                                services.exchange, in.blocking, services.clock,
                                                in.workers.executor(0));
}

// Keeps idle grants alive and warns before grants end; null when no integration needs it.
std::shared_ptr<auth::oauth2::KeepAlive> make_keep_alive(const ServiceGraphInputs& in,
                                                         const api::Services& services) {
  auto keep_alive = std::make_shared<auth::oauth2::KeepAlive>(
      in.project, services.store, services.credentials, services.events, in.blocking,
      services.clock, in.workers.executor(0));
  return keep_alive->has_work() ? keep_alive : nullptr;
}

// Jira's answers to webhook calls are small; this bounds what a misbehaving one costs.
constexpr std::size_t kMaxJiraAnswerBytes = 1024 * 1024;

std::shared_ptr<atlassian::JiraWebhookKeeper> make_jira_webhook_keeper(
    const ServiceGraphInputs& in, const api::Services& services) {
  if (!services.proxy) return nullptr;
  auto keeper = std::make_shared<atlassian::JiraWebhookKeeper>(
      in.project, services.store,
      std::make_shared<actions::ProxyActionHttp>(services.proxy, kMaxJiraAnswerBytes),
      in.blocking, services.clock, in.workers.executor(0));
  return keeper->has_work() ? keeper : nullptr;
}

}  // namespace

Result<ServiceGraph> build_service_graph(ServiceGraphInputs in) {
  const auto& project = in.project;
  auto engine = make_engine(*project, std::move(in.outbound_proxy), in.workers);
  if (!engine) return engine.error();

  auto cache = std::make_shared<store::ConnectionCache>(in.database, in.workers, *in.blocking);
  auto services = std::make_shared<api::Services>();
  services->project = project;
  // Every family and each integration's series exist from the start, at zero.
  std::vector<std::string> integration_keys;
  for (const auto& [key, integration] : project->integrations) integration_keys.push_back(key);
  observe::register_ferry_metrics(integration_keys);
  auto history = std::make_shared<observe::MetricHistory>(services->clock, integration_keys);
  services->metric_history = history;
  services->store = std::make_shared<store::WriteThroughStore>(in.database, cache);
  services->blocking = in.blocking;
  store::ActivityWriterOptions activity_options;
  activity_options.retention_age = project->server.activity_retention;
  activity_options.retention_rows = project->server.activity_retention_max_entries;
  services->activity =
      std::make_shared<store::ActivityWriter>(services->store, activity_options);
  services->exchange = *engine;
  services->events =
      std::make_shared<events::ConnectionEvents>(project->server, services->clock);
  services->websockets =
      std::make_shared<api::WebsocketHub>(project->server.max_websockets_per_client);
  auto peers = join_peers(*in.database, cache, services->websockets);
  if (!peers) return peers.error();
  services->peers = std::move(*peers);
  services->credentials = make_refresher(in, *services, cache);
  services->proxy = make_proxy(in, *services);

  auto registry = in.action_registry;
  if (!registry) registry = std::make_shared<actions::ActionRegistry>(project->dir);
  (void)registry->reload();
  observe::info("{} action(s) loaded", registry->list().size());
  services->actions = make_action_runner(in, *services, cache, registry);
  actions::AsyncActionOptions async_options;
  async_options.environment = project->server.environment;
  services->async_actions = std::make_shared<actions::AsyncActions>(
      services->actions, services->store, in.blocking, services->clock, async_options);
  services->dashboard_sessions = std::make_shared<api::DashboardSessions>(
      project->server.secret_key, project->server.admin_password, services->clock);
  services->dashboard_files = &api::embedded_dashboard_files();

  auto router = std::make_shared<http::Router>();
  api::register_routes(*router, services);
  return ServiceGraph{.services = services,
                      .engine = *engine,
                      .action_registry = registry,
                      .router = router,
                      .metric_history = history,
                      .webhooks = make_dispatcher(in, *services),
                      .keep_alive = make_keep_alive(in, *services),
                      .jira_webhooks = make_jira_webhook_keeper(in, *services)};
}

}  // namespace ferry::app
