#pragma once

#include <memory>

#include "ferry/store/store.h"

namespace ferry::store {

class ConnectionCache;

// The Store the REST handlers, the refresher and actions write through: every call goes to
// the inner store, and every connection write then keeps the I/O threads' connection cache
// coherent: an update publishes its new row (the cached snapshot is replaced, never
// edited), a create, delete or metadata write invalidates the keys it touched, whatever the
// outcome. Reads pass straight through (the hot path reads the cache, not this). A write
// made by another process reaches the cache through join_peers() (the app's handlers),
// not through this. Thread-safe as the inner store is; blocking like it (call it on the blocking
// pool).
class WriteThroughStore final : public Store {
 public:
  WriteThroughStore(std::shared_ptr<Store> inner, std::shared_ptr<ConnectionCache> cache);

  using Store::create_connection;
  using Store::delete_connection;
  Result<Connection> create_connection(Connection connection,
                                       const std::vector<OutboxEvent>& events) override;
  Result<Connection> find_connection(const ConnectionKey& key) override;
  Result<std::vector<Connection>> list_connections(const ConnectionFilter& filter) override;
  Status delete_connection(const ConnectionKey& key,
                           const std::vector<OutboxEvent>& events) override;
  Result<Connection> update_connection(const ConnectionKey& key,
                                       const ConnectionUpdate& update) override;
  Status set_metadata(const std::string& provider_config_key,
                      const std::vector<std::string>& connection_ids,
                      const nlohmann::json& metadata, bool merge) override;
  Status save_oauth_state(const OAuthSession& session, const StateAdmission& admission) override;
  Result<OAuthSession> take_oauth_state(std::string_view state) override;
  Status save_connect_session(const ConnectSession& session) override;
  Result<ConnectSession> find_connect_session(std::string_view token_hash) override;
  Result<ConnectSession> use_connect_session(std::string_view token_hash) override;
  Status append_activity(const std::vector<ActivityEntry>& entries) override;
  Result<std::vector<ActivityEntry>> list_activity(const ActivityFilter& filter) override;
  Result<std::size_t> prune_activity(std::size_t max_rows, std::chrono::seconds max_age,
                                     std::size_t limit) override;
  Status append_outbox(const std::vector<OutboxEvent>& events) override;
  Result<std::vector<OutboxEvent>> lease_outbox(const std::string& worker, TimePoint now,
                                                std::chrono::seconds lease,
                                                std::size_t limit) override;
  Status finish_outbox_attempt(std::string_view id, const std::string& worker,
                               const OutboxAttempt& attempt) override;
  Result<std::vector<OutboxEvent>> list_outbox(const OutboxFilter& filter) override;
  Result<OutboxEvent> replay_outbox_event(std::string_view id, TimePoint now) override;
  Result<std::size_t> prune_outbox(TimePoint before, std::size_t limit) override;
  Status start_async_action(const AsyncActionRun& run) override;
  Status finish_async_action(std::string_view id, AsyncActionState state,
                             std::string_view result) override;
  Result<AsyncActionRun> find_async_action(std::string_view environment,
                                           std::string_view id) override;
  Result<std::size_t> prune_async_actions(TimePoint before, std::size_t limit) override;
  Result<std::unique_ptr<RefreshClaim>> try_claim_refresh(const ConnectionKey& key) override;
  Result<std::unique_ptr<Peers>> join_peers(PeerHandlers handlers) override;

 private:
  const std::shared_ptr<Store> inner_;
  const std::shared_ptr<ConnectionCache> cache_;
};

}  // namespace ferry::store
