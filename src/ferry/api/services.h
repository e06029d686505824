#pragma once

#include <memory>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"

namespace ferry::store {
class Store;
class ActivityWriter;
}  // namespace ferry::store
namespace ferry::proxy {
struct ProxyDependencies;
}
namespace ferry::http {
class HttpClient;
}
namespace ferry::actions {
class ActionRunner;
}

namespace ferry::api {

class WebsocketHub;  // api/websocket.h

// What the REST handlers work with. Built once by the app at start; the pointers stay valid
// for the server's lifetime. Thread-safe: the project is immutable, the store and the
// activity writer are callable from any thread.
struct Services {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> store;  // the cached store: the hot path reads credentials here
  std::shared_ptr<store::ActivityWriter> activity;
  std::shared_ptr<const proxy::ProxyDependencies> proxy;
  // The OAuth connect flow: token endpoints and post-connection calls go through
  // `http_client`; `websockets` are the @nangohq/frontend clients waiting for a result;
  // `clock` decides the expiry of OAuth states and connect sessions. The connect routes are
  // registered only when `http_client` and `websockets` are set.
  std::shared_ptr<http::HttpClient> http_client;
  std::shared_ptr<WebsocketHub> websockets;
  std::shared_ptr<const Clock> clock = system_clock();
  // Runs actions for POST /action/trigger; null answers 503.
  std::shared_ptr<actions::ActionRunner> actions;
};

}  // namespace ferry::api
