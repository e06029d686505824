#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/api/services.h"
#include "ferry/core/result.h"
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
// ws_client_id. A callback taken by another instance sharing the database reaches them
// through the store's peers (flow_results.h). Thread-safe: the map is
// guarded by a mutex; each client's socket is only touched on its session's I/O thread.
class WebsocketHub {
 public:
  // Most clients at once; more are answered 503 before the upgrade.
  static constexpr std::size_t kMaxClients = 10'000;

  // `max_per_client`: most clients at once per client key (client_address.h); more are
  // answered 429 before the upgrade. 0 = no per-client limit.
  explicit WebsocketHub(std::size_t max_per_client = 0) : max_per_client_(max_per_client) {}

  // Queues `message` for client `ws_client_id`. False when no such client is connected.
  bool notify(const std::string& ws_client_id, const nlohmann::json& message);
  // Closes every client (server shutdown), so websockets do not hold the graceful stop.
  void close_all();
  std::size_t size() const;
  // How many clients `client_key` has connected now.
  std::size_t count_of(const std::string& client_key) const;

  struct Client;  // websocket.cc

  // For the websocket route: adds a client of `client_key` under a new uuid and returns the
  // id; remove() forgets it and gives its place back. Errc::too_many_requests when
  // `client_key` has max_per_client clients connected; Errc::unavailable when kMaxClients
  // are connected or close_all() was called.
  Result<std::string> add(std::shared_ptr<Client> client, const std::string& client_key);
  void remove(const std::string& ws_client_id);

 private:
  struct Entry {
    std::shared_ptr<Client> client;
    std::string client_key;
  };

  const std::size_t max_per_client_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> clients_;               // guarded by mu_
  std::map<std::string, std::size_t> per_client_;     // guarded by mu_; no zero counts
  bool closed_ = false;                                // guarded by mu_
};

// Registers the websocket endpoint on `/` (a streaming route; a request that is not a
// websocket upgrade gets the dashboard's page, api/dashboard_pages.h).
void register_websocket(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
