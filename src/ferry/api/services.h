#pragma once

#include <memory>

#include "ferry/config/embedded_catalog.h"
#include "ferry/config/model.h"
#include "ferry/core/clock.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
class ActivityWriter;
class Peers;
}  // namespace ferry::store
namespace ferry::auth {
class CredentialSource;
}
namespace ferry::proxy {
struct ProxyDependencies;
}
namespace ferry::http {
class Exchange;
}
namespace ferry::actions {
class ActionRunner;
class AsyncActions;
}  // namespace ferry::actions
namespace ferry::observe {
class MetricHistory;
}

namespace ferry::events {
class ConnectionEvents;
}
namespace ferry::api {

class WebsocketHub;       // api/websocket.h
class DashboardSessions;  // api/dashboard_sessions.h

// What the REST handlers work with. Built once by the app at start; the pointers stay valid
// for the server's lifetime. Thread-safe: the project is immutable, the store and the
// activity writer are callable from any thread.
//
// The store blocks (disk, database): handlers call it only on `blocking`, never on an I/O
// thread. SyncHandlers (handler_support.h) run there whole.
struct Services {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> store;  // writes keep the connection cache coherent
  std::shared_ptr<BlockingPool> blocking;
  // Connections with usable credentials (the cache, plus refresh): GET /connections/{id}.
  std::shared_ptr<auth::CredentialSource> credentials;
  std::shared_ptr<store::ActivityWriter> activity;
  std::shared_ptr<const proxy::ProxyDependencies> proxy;
  // The OAuth connect flow: token endpoints and post-connection calls go through the
  // upstream engine `exchange`; `websockets` are the @nangohq/frontend clients waiting for a
  // result; `clock` decides the expiry of OAuth states and connect sessions. The connect
  // routes are registered only when `exchange` and `websockets` are set.
  std::shared_ptr<http::Exchange> exchange;
  std::shared_ptr<WebsocketHub> websockets;
  // The other instances sharing the database (several Ferry processes on one PostgreSQL):
  // OAuth results for websocket clients held elsewhere go through them. Null: none.
  std::shared_ptr<store::Peers> peers;
  std::shared_ptr<const Clock> clock = system_clock();
  // Runs actions for POST /action/trigger; null answers 503.
  std::shared_ptr<actions::ActionRunner> actions;
  // Runs X-Async triggers in the background and keeps their results for GET /action/{id};
  // null: those answer 503.
  std::shared_ptr<actions::AsyncActions> async_actions;
  // Sign-in to the web dashboard; its session cookie then opens every backend route but the
  // proxy. Null: the dashboard's data routes take only the secret key.
  std::shared_ptr<DashboardSessions> dashboard_sessions;
  // The dashboard's built files (index.html, dashboard.js, dashboard.css) served at `/` and
  // /dashboard/assets/; null or empty: `/` explains that the dashboard is not built in.
  const std::vector<config::EmbeddedFile>* dashboard_files = nullptr;
  // The last hour of per-integration activity for GET /dashboard/api/overview, sampled by
  // the app; null: no such route.
  std::shared_ptr<const observe::MetricHistory> metric_history;
  // Connection events for the backend's webhook receiver (events/connection_events.h),
  // written with the changes that cause them. Null: none are made.
  std::shared_ptr<const events::ConnectionEvents> events;
};

}  // namespace ferry::api
