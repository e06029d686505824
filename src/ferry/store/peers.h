#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// What this process must hear from the other Ferry processes sharing its database, so that
// N instances behave as one. Each handler is called on a thread of the store's own (never
// an I/O thread), one call at a time, and must return quickly: post the work elsewhere.
struct PeerHandlers {
  // Another process (or anyone editing the database) changed, created or deleted the
  // connection `key`: whatever this process cached of it is stale.
  std::function<void(const ConnectionKey& key)> connection_changed;
  // Any connection may have changed: announcements may have been missed (the store's
  // listening session has just begun, or was lost and is back), or every row changed at
  // once. Nothing cached may be trusted.
  std::function<void()> all_connections_changed;
  // Another process finished an OAuth flow whose @nangohq/frontend websocket client
  // `ws_client_id` may be connected here: hand it `message`.
  std::function<void(const std::string& ws_client_id, const nlohmann::json& message)>
      flow_result;
};

// The other Ferry processes sharing this process's database (Store::join_peers()). While
// it exists, the store listens for their announcements and calls the PeerHandlers it was
// made with; destroying it stops that (waiting for a handler call in progress).
class Peers {
 public:
  virtual ~Peers() = default;

  // Announces an OAuth flow's result for websocket client `ws_client_id` to every other
  // process; the one holding that client delivers it. Blocks on the database (call it on
  // the blocking pool). Errc::invalid_argument when the announcement would not fit (the
  // caller keeps messages small: PostgreSQL carries at most 7999 bytes); the store's
  // errors (Errc::unavailable) otherwise. At most once: a process whose listening session
  // is down at that moment never hears of it.
  virtual Status announce_flow_result(const std::string& ws_client_id,
                                      const nlohmann::json& message) = 0;
};

}  // namespace ferry::store
