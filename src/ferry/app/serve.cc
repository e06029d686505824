#include "ferry/app/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <algorithm>
#include <thread>
#include <vector>

#include "ferry/actions/action_registry.h"
#include "ferry/actions/action_runner.h"
#include "ferry/actions/action_watcher.h"
#include "ferry/actions/loopback_action_http.h"
#include "ferry/api/routes.h"
#include "ferry/api/services.h"
#include "ferry/api/websocket.h"
#include "ferry/auth/oauth2/refresher.h"
#include "ferry/http/client/http_client.h"
#include "ferry/proxy/proxy_dependencies.h"
#include "ferry/store/activity_writer.h"
#include "ferry/http/server/server.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/cached_store.h"
#include "ferry/store/open_store.h"

namespace ferry::app {
namespace net = boost::asio;

namespace {

// Secrets from the configuration can never be printed, whatever a later log line holds.
void register_config_secrets(const config::Project& project) {
  observe::register_secret(project.server.secret_key);
  observe::register_secret(project.server.encryption_key);
  for (const auto& [key, integration] : project.integrations) {
    observe::register_secret(integration.oauth_client_secret);
    observe::register_secret(integration.app_api_key);
  }
}

void print_banner(const config::Project& project, unsigned short port) {
  const auto& server = project.server;
  // Printed whatever the log level: operators (and scripts) need the address and callback.
  fmt::print("Ferry listening on http://{}:{}\n", server.listen_address, port);
  fmt::print("OAuth callback URL: {}\n", project.callback_url());
  observe::info("{} integration(s) loaded from {}", project.integrations.size(),
                project.dir.string());
  // Generated keys are registered secrets, so the logger masks them. In dev the developer
  // needs them once: they go to the terminal only, never to the log file.
  if (server.secret_key_generated) {
    fmt::print("No secret_key configured; this run's secret key is: {}\n", server.secret_key);
  }
  if (server.public_key_generated) {
    fmt::print("No public_key configured; this run's public key is: {}\n", server.public_key);
  }
  std::fflush(stdout);
}

}  // namespace

int serve(std::shared_ptr<const config::Project> project,
          std::shared_ptr<actions::ActionRegistry> action_registry) {
  register_config_secrets(*project);
  if (project->server.encryption_key.empty()) {
    observe::warn("encryption_key is not set: credentials are stored unencrypted");
  }
  auto opened = store::open_store(project->server.database_url, project->server.encryption_key);
  if (!opened) {
    observe::error("cannot open the database: {}", opened.error().message);
    return 1;
  }
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(static_cast<int>(threads));

  auto proxy_settings = http::ProxySettings::from_environment();
  if (!proxy_settings) {
    observe::error("{}", proxy_settings.error().message);
    return 1;
  }
  http::ClientOptions client_options;
  client_options.ca_file = project->server.ca_file;
  client_options.proxy = std::move(*proxy_settings);
  auto client = http::HttpClient::create(ioc, std::move(client_options));
  if (!client) {
    observe::error("{}", client.error().message);
    return 1;
  }

  auto services = std::make_shared<api::Services>();
  services->project = project;
  services->store = std::make_shared<store::CachedStore>(std::move(opened).value());
  services->activity = std::make_shared<store::ActivityWriter>(services->store);
  auto proxy = std::make_shared<proxy::ProxyDependencies>();
  proxy->project = project;
  proxy->client = *client;
  auth::oauth2::RefresherDependencies refresher;
  refresher.project = project;
  refresher.store = services->store;
  refresher.client = *client;
  refresher.activity = services->activity;
  proxy->credentials = std::make_shared<auth::oauth2::Refresher>(std::move(refresher));
  proxy->activity = services->activity;
  services->proxy = proxy;
  services->http_client = *client;
  services->websockets = std::make_shared<api::WebsocketHub>();

  // Actions: the folder's *.action.lua files, re-read every second, plus the native actions
  // of an embedding program. Their upstream calls go through this server's own /proxy.
  if (!action_registry) action_registry = std::make_shared<actions::ActionRegistry>(project->dir);
  (void)action_registry->reload();
  observe::info("{} action(s) loaded", action_registry->list().size());
  auto action_http =
      std::make_shared<actions::LoopbackActionHttp>(*client, project->server.secret_key);
  actions::RunnerDependencies action_deps;
  action_deps.project = project;
  action_deps.store = services->store;
  action_deps.registry = action_registry;
  action_deps.http = action_http;
  action_deps.activity = services->activity;
  services->actions = std::make_shared<actions::ActionRunner>(std::move(action_deps));
  actions::ActionWatcher action_watcher(ioc.get_executor(), action_registry);
  action_watcher.start();

  auto router = std::make_shared<http::Router>();
  api::register_routes(*router, services);
  http::ServerOptions options;
  options.address = project->server.listen_address;
  options.port = static_cast<unsigned short>(project->server.server_port);
  options.max_body_bytes = project->server.max_request_body_bytes;
  auto server = http::Server::listen(ioc, options, router);
  if (!server) {
    observe::error("{}", server.error().message);
    return 1;
  }
  action_http->set_listening(project->server.listen_address, (*server)->port());
  print_banner(*project, (*server)->port());

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    observe::info("received signal {}; finishing requests in flight", signal);
    services->websockets->close_all();  // open websockets would hold the graceful stop
    action_watcher.stop();
    (*server)->stop([&ioc] { ioc.stop(); });
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  observe::info("Ferry stopped");
  return 0;
}

}  // namespace ferry::app
