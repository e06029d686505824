#include "ferry/store/write_through_store.h"

#include <utility>

#include "ferry/store/connection_cache.h"
#include "ferry/store/connection_snapshot.h"

namespace ferry::store {

WriteThroughStore::WriteThroughStore(std::shared_ptr<Store> inner,
                                     std::shared_ptr<ConnectionCache> cache)
    : inner_(std::move(inner)), cache_(std::move(cache)) {}

Result<Connection> WriteThroughStore::create_connection(Connection connection,
                                                        const std::vector<OutboxEvent>& events) {
  const ConnectionKey key = connection.key();
  auto created = inner_->create_connection(std::move(connection), events);
  cache_->invalidate(key);
  return created;
}

Result<Connection> WriteThroughStore::find_connection(const ConnectionKey& key) {
  return inner_->find_connection(key);
}

Result<std::vector<Connection>> WriteThroughStore::list_connections(const ConnectionFilter& filter) {
  return inner_->list_connections(filter);
}

Status WriteThroughStore::delete_connection(const ConnectionKey& key,
                                            const std::vector<OutboxEvent>& events) {
  auto deleted = inner_->delete_connection(key, events);
  cache_->invalidate(key);
  return deleted;
}

Result<Connection> WriteThroughStore::update_connection(const ConnectionKey& key,
                                                        const ConnectionUpdate& update) {
  auto updated = inner_->update_connection(key, update);
  if (updated) {
    cache_->publish(make_snapshot(*updated));
  } else {
    // Whatever happened to the row, no snapshot may outlive this write attempt unchecked.
    cache_->invalidate(key);
  }
  return updated;
}

Status WriteThroughStore::set_metadata(const std::string& provider_config_key,
                                       const std::vector<std::string>& connection_ids,
                                       const nlohmann::json& metadata, bool merge) {
  auto set = inner_->set_metadata(provider_config_key, connection_ids, metadata, merge);
  for (const std::string& id : connection_ids) cache_->invalidate({provider_config_key, id});
  return set;
}

Status WriteThroughStore::save_oauth_state(const OAuthSession& session,
                                           const StateAdmission& admission) {
  return inner_->save_oauth_state(session, admission);
}

Result<OAuthSession> WriteThroughStore::take_oauth_state(std::string_view state) {
  return inner_->take_oauth_state(state);
}

Status WriteThroughStore::save_connect_session(const ConnectSession& session) {
  return inner_->save_connect_session(session);
}

Result<ConnectSession> WriteThroughStore::find_connect_session(std::string_view token_hash) {
  return inner_->find_connect_session(token_hash);
}

Result<ConnectSession> WriteThroughStore::use_connect_session(std::string_view token_hash) {
  return inner_->use_connect_session(token_hash);
}

Status WriteThroughStore::append_activity(const std::vector<ActivityEntry>& entries) {
  return inner_->append_activity(entries);
}

Result<std::vector<ActivityEntry>> WriteThroughStore::list_activity(const ActivityFilter& filter) {
  return inner_->list_activity(filter);
}

Result<std::size_t> WriteThroughStore::prune_activity(std::size_t max_rows,
                                                      std::chrono::seconds max_age,
                                                      std::size_t limit) {
  return inner_->prune_activity(max_rows, max_age, limit);
}

Status WriteThroughStore::append_outbox(const std::vector<OutboxEvent>& events) {
  return inner_->append_outbox(events);
}

Result<std::vector<OutboxEvent>> WriteThroughStore::lease_outbox(const std::string& worker,
                                                                 TimePoint now,
                                                                 std::chrono::seconds lease,
                                                                 std::size_t limit) {
  return inner_->lease_outbox(worker, now, lease, limit);
}

Status WriteThroughStore::finish_outbox_attempt(std::string_view id, const std::string& worker,
                                                const OutboxAttempt& attempt) {
  return inner_->finish_outbox_attempt(id, worker, attempt);
}

Result<std::vector<OutboxEvent>> WriteThroughStore::list_outbox(const OutboxFilter& filter) {
  return inner_->list_outbox(filter);
}

Result<OutboxEvent> WriteThroughStore::replay_outbox_event(std::string_view id, TimePoint now) {
  return inner_->replay_outbox_event(id, now);
}

Result<std::size_t> WriteThroughStore::prune_outbox(TimePoint before, std::size_t limit) {
  return inner_->prune_outbox(before, limit);
}

Status WriteThroughStore::start_async_action(const AsyncActionRun& run) {
  return inner_->start_async_action(run);
}

Status WriteThroughStore::finish_async_action(std::string_view id, AsyncActionState state,
                                              std::string_view result) {
  return inner_->finish_async_action(id, state, result);
}

Result<AsyncActionRun> WriteThroughStore::find_async_action(std::string_view environment,
                                                            std::string_view id) {
  return inner_->find_async_action(environment, id);
}

Result<std::size_t> WriteThroughStore::prune_async_actions(TimePoint before, std::size_t limit) {
  return inner_->prune_async_actions(before, limit);
}

Result<std::unique_ptr<RefreshClaim>> WriteThroughStore::try_claim_refresh(
    const ConnectionKey& key) {
  return inner_->try_claim_refresh(key);
}

Result<std::unique_ptr<Peers>> WriteThroughStore::join_peers(PeerHandlers handlers) {
  return inner_->join_peers(std::move(handlers));
}

}  // namespace ferry::store
