#pragma once

#include <memory>

#include "ferry/config/model.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/io_workers.h"
#include "ferry/core/result.h"
#include "ferry/http/client/proxy_settings.h"

namespace ferry::actions {
class ActionRegistry;
}
namespace ferry::api {
struct Services;
}
namespace ferry::http {
class Router;
class UpstreamEngine;
}  // namespace ferry::http
namespace ferry::observe {
class MetricHistory;
}
namespace ferry::store {
class Store;
}
namespace ferry::webhooks {
class Dispatcher;
}
namespace ferry::atlassian {
class JiraWebhookKeeper;
}
namespace ferry::auth::oauth2 {
class KeepAlive;
}

namespace ferry::app {

// What the service graph is built from. The caller owns the threads: `workers` run the I/O,
// `blocking` runs store reads and writes.
struct ServiceGraphInputs {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> database;
  IoWorkers workers;
  std::shared_ptr<BlockingPool> blocking;
  http::ProxySettings outbound_proxy;  // the environment's, for `ferry serve`
  // The registry actions run from, its files (re)read here; an embedding program registers
  // its native actions in it first. Null: a registry of the project folder.
  std::shared_ptr<actions::ActionRegistry> action_registry;
};

// Every part a running server is made of, wired to each other once: the upstream engine
// (egress policy and CA file from the project), the connection cache in front of the store,
// the activity writer, the token refresher, the proxy pipeline, the action runner (its Lua
// on `action_threads` threads of its own), the metric families (observe/ferry_metrics.h)
// with the dashboard's metric history, and the routes. The caller listens with `router`
// and closes the engine's idle sockets after its io_contexts stop.
struct ServiceGraph {
  std::shared_ptr<api::Services> services;
  std::shared_ptr<http::UpstreamEngine> engine;
  std::shared_ptr<actions::ActionRegistry> action_registry;
  std::shared_ptr<http::Router> router;
  // Also services->metric_history; the caller samples it every MetricHistory::kInterval.
  std::shared_ptr<observe::MetricHistory> metric_history;
  // Delivers connection events to ferry.yaml's webhook_url; null when none is set. The
  // caller starts and stops it.
  std::shared_ptr<webhooks::Dispatcher> webhooks;
  // Keep-alive refreshes and grant-expiry warnings (auth/oauth2/keep_alive.h); null when no
  // integration needs them. The caller starts and stops it.
  std::shared_ptr<auth::oauth2::KeepAlive> keep_alive;
  // Refreshes of the Jira webhooks Ferry registered (atlassian/jira_webhook_keeper.h); null
  // when no integration is an Atlassian one.
  std::shared_ptr<atlassian::JiraWebhookKeeper> jira_webhooks;
};

// Errc::invalid_argument when the project's egress allow-list or CA file cannot be used.
Result<ServiceGraph> build_service_graph(ServiceGraphInputs inputs);

}  // namespace ferry::app
