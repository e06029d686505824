#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "ferry/store/store.h"

namespace ferry::store {

// The hot path's credential source: a Store decorator that answers find_connection from
// an in-memory map (read-through), so proxied requests and actions do not hit the
// database for every call. Writes made through it (create, update, delete, set_metadata)
// go to the inner store and then drop the affected keys, whatever their outcome; a
// write made elsewhere (another process, later announced by PostgreSQL NOTIFY) must be
// reported with invalidate(). Every other call passes straight through.
//
// Cached rows hold decrypted credentials in memory, as the hot path needs them.
// Threads: the map is guarded by a mutex, never held while calling the inner store. A
// generation counter keeps a read that raced with an invalidation from caching the row
// it read before that invalidation.
class CachedStore final : public Store {
 public:
  explicit CachedStore(std::unique_ptr<Store> inner);

  // Drops `key` from the cache; the next find_connection reads the inner store.
  void invalidate(const ConnectionKey& key);
  // Drops every cached row.
  void invalidate_all();
  // Number of cached rows.
  std::size_t cached_count() const;

  Result<Connection> create_connection(Connection connection) override;
  // From the cache when present; otherwise from the inner store, caching a found row.
  Result<Connection> find_connection(const ConnectionKey& key) override;
  Result<std::vector<Connection>> list_connections(const ConnectionFilter& filter) override;
  Status delete_connection(const ConnectionKey& key) override;
  Result<Connection> update_connection(const ConnectionKey& key,
                                       const ConnectionUpdate& update) override;
  Status set_metadata(const std::string& provider_config_key,
                      const std::vector<std::string>& connection_ids,
                      const nlohmann::json& metadata, bool merge) override;
  Status save_oauth_state(const OAuthSession& session) override;
  Result<OAuthSession> take_oauth_state(std::string_view state) override;
  Status save_connect_session(const ConnectSession& session) override;
  Result<ConnectSession> find_connect_session(std::string_view token_hash) override;
  Status append_activity(const std::vector<ActivityEntry>& entries) override;
  Result<std::vector<ActivityEntry>> list_activity(const ActivityFilter& filter) override;
  Status prune_activity(std::size_t max_rows, std::chrono::seconds max_age) override;
  Status with_refresh_lock(const ConnectionKey& key, const std::function<Status()>& fn) override;

 private:
  const std::unique_ptr<Store> inner_;
  mutable std::mutex mu_;
  std::map<ConnectionKey, Connection> rows_;  // guarded by mu_
  std::uint64_t generation_ = 0;              // guarded by mu_; bumped by every invalidation
};

}  // namespace ferry::store
