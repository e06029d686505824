#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The websocket side of @nangohq/frontend's auth(): the page opens a websocket on `/`, the
// server answers {"message_type":"connection_ack","ws_client_id":"<uuid>"}, the page opens
// the connect popup with that ws_client_id, and when the callback completes the server
// sends {"message_type":"success","provider_config_key":…,"connection_id":…} or
// {"message_type":"error","error_type":…,"error_desc":…}. Messages from the page are read
// and ignored.
//
// WebsocketHub is the registry of the clients connected to THIS process, keyed by
// ws_client_id. A callback taken by another instance cannot reach them; the callback page's
// postMessage to its opener still reports the result there. Thread-safe: the map is
// guarded by a mutex; each client's socket is only touched on its session's I/O thread.
class WebsocketHub {
 public:
  // Most clients at once; more are answered 503 before the upgrade.
  static constexpr std::size_t kMaxClients = 10'000;

  // Queues `message` for client `ws_client_id`. False when no such client is connected.
  bool notify(const std::string& ws_client_id, const nlohmann::json& message);
  // Closes every client (server shutdown), so websockets do not hold the graceful stop.
  void close_all();
  std::size_t size() const;

  struct Client;  // websocket.cc

  // For the websocket route: adds a client under a new uuid and returns the id, or "" when
  // kMaxClients are connected or close_all() was called; remove() forgets it.
  std::string add(std::shared_ptr<Client> client);
  void remove(const std::string& ws_client_id);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Client>> clients_;  // guarded by mu_
  bool closed_ = false;                                     // guarded by mu_
};

// Registers the websocket endpoint on `/` (a streaming route; requests that are not a
// websocket upgrade get 404 like any unknown path).
void register_websocket(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
