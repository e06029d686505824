#include "ferry/app/serve.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <algorithm>
#include <thread>
#include <vector>

#include "ferry/actions/action_registry.h"
#include "ferry/actions/async_actions.h"
#include "ferry/api/services.h"
#include "ferry/api/websocket.h"
#include "ferry/app/service_graph.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/io_workers.h"
#include "ferry/core/periodic_task.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/http/server/server.h"
#include "ferry/observe/log.h"
#include "ferry/observe/metric_history.h"
#include "ferry/observe/redact.h"
#include "ferry/store/open_store.h"
#include "ferry/atlassian/jira_webhook_keeper.h"
#include "ferry/auth/oauth2/keep_alive.h"
#include "ferry/webhooks/dispatcher.h"

namespace ferry::app {
namespace net = boost::asio;

namespace {

// Secrets from the configuration can never be printed, whatever a later log line holds.
void register_config_secrets(const config::Project& project) {
  observe::register_secret(project.server.secret_key);
  observe::register_secret(project.server.encryption_key);
  observe::register_secret(project.server.admin_password);
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
  fmt::print("Dashboard: {}/ (sign in with the secret key{})\n", server.server_root_url,
             server.admin_password.empty() ? "" : " or the admin password");
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

// Threads that may block on the database or the disk (store reads on a cache miss, every
// write). Few: SQLite serialises writes anyway, and each one is short.
constexpr std::size_t kBlockingThreads = 2;

// One io_context per I/O thread (thread-per-core): each runs on exactly one thread, so
// Asio may skip the locking a shared queue needs.
struct IoThreads {
  std::vector<std::unique_ptr<net::io_context>> contexts;

  explicit IoThreads(unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
    }
  }
  IoWorkers workers() const {
    std::vector<net::any_io_executor> executors;
    for (const auto& context : contexts) executors.push_back(context->get_executor());
    return IoWorkers(std::move(executors));
  }
  // Runs every context, the first on the calling thread, until all are stopped.
  void run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts.size(); ++i) {
      threads.emplace_back([context = contexts[i].get()] { context->run(); });
    }
    contexts.front()->run();
    for (auto& thread : threads) thread.join();
  }
  void stop() {
    for (auto& context : contexts) context->stop();
  }
};

}  // namespace

int serve(std::shared_ptr<const config::Project> project,
          std::shared_ptr<actions::ActionRegistry> action_registry) {
  register_config_secrets(*project);
  if (project->server.encryption_key.empty()) {
    observe::warn("encryption_key is not set: credentials are stored unencrypted");
  }
  auto opened = store::open_store(project->server.database_url, project->server.encryption_key,
                                  nullptr,
                                  {.database_pool_size = project->server.database_pool_size});
  if (!opened) {
    observe::error("cannot open the database: {}", opened.error().message);
    return 1;
  }
  IoThreads io(std::max(1u, std::thread::hardware_concurrency()));
  const IoWorkers workers = io.workers();
  auto blocking = std::make_shared<BlockingPool>(kBlockingThreads);

  auto proxy_settings = http::ProxySettings::from_environment();
  if (!proxy_settings) {
    observe::error("{}", proxy_settings.error().message);
    return 1;
  }
  auto graph = build_service_graph({.project = project,
                                    .database = std::move(opened).value(),
                                    .workers = workers,
                                    .blocking = blocking,
                                    .outbound_proxy = std::move(*proxy_settings),
                                    .action_registry = std::move(action_registry)});
  if (!graph) {
    observe::error("{}", graph.error().message);
    return 1;
  }
  const auto& services = graph->services;
  // Edited, added and deleted action files are picked up without a restart: the folder is
  // re-read every second, on the blocking pool since it touches the disk. reload() logs what
  // changed and what failed.
  PeriodicTask action_reloader(blocking->executor(), std::chrono::seconds(1),
                               [registry = graph->action_registry] { (void)registry->reload(); });
  action_reloader.start();
  // The dashboard's overview: one point of the metric history every interval.
  PeriodicTask metric_sampler(
      blocking->executor(),
      std::chrono::duration_cast<std::chrono::milliseconds>(observe::MetricHistory::kInterval),
      [history = graph->metric_history] { history->sample(); });
  metric_sampler.start();
  // Abandoned asynchronous runs are marked failed, and results past retention deleted.
  services->async_actions->start_maintenance(blocking->executor());
  if (graph->webhooks) graph->webhooks->start();
  if (graph->keep_alive) graph->keep_alive->start();
  if (graph->jira_webhooks) graph->jira_webhooks->start();

  http::ServerOptions options;
  options.address = project->server.listen_address;
  options.port = static_cast<unsigned short>(project->server.server_port);
  options.max_body_bytes = project->server.max_request_body_bytes;
  auto server = http::Server::listen(workers, options, graph->router);
  if (!server) {
    observe::error("{}", server.error().message);
    return 1;
  }
  print_banner(*project, (*server)->port());

  net::signal_set signals(*io.contexts.front(), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    observe::info("received signal {}; finishing requests in flight", signal);
    services->websockets->close_all();  // open websockets would hold the graceful stop
    action_reloader.stop();
    metric_sampler.stop();
    services->async_actions->stop_maintenance();
    if (graph->webhooks) graph->webhooks->stop();
    if (graph->keep_alive) graph->keep_alive->stop();
    if (graph->jira_webhooks) graph->jira_webhooks->stop();
    (*server)->stop([&io] { io.stop(); });
  });
  // Each context runs until stop(), even while it has nothing to do.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  for (auto& context : io.contexts) keep_running.push_back(net::make_work_guard(*context));

  io.run();
  // The pooled upstream sockets go while their io_contexts still exist.
  graph->engine->close_idle();
  observe::info("Ferry stopped");
  return 0;
}

}  // namespace ferry::app
