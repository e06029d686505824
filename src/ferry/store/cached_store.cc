#include "ferry/store/cached_store.h"

#include <utility>

namespace ferry::store {

CachedStore::CachedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

void CachedStore::invalidate(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  rows_.erase(key);
  ++generation_;
}

void CachedStore::invalidate_all() {
  std::lock_guard lock(mu_);
  rows_.clear();
  ++generation_;
}

std::size_t CachedStore::cached_count() const {
  std::lock_guard lock(mu_);
  return rows_.size();
}

Result<Connection> CachedStore::find_connection(const ConnectionKey& key) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = rows_.find(key); it != rows_.end()) return it->second;
    generation = generation_;
  }
  auto found = inner_->find_connection(key);
  if (found) {
    std::lock_guard lock(mu_);
    // An invalidation since we looked means `found` may predate a write: don't keep it.
    if (generation == generation_) rows_.insert_or_assign(key, *found);
  }
  return found;
}

Result<Connection> CachedStore::create_connection(Connection connection) {
  const ConnectionKey key = connection.key();
  auto created = inner_->create_connection(std::move(connection));
  invalidate(key);
  return created;
}

Result<std::vector<Connection>> CachedStore::list_connections(const ConnectionFilter& filter) {
  return inner_->list_connections(filter);
}

Status CachedStore::delete_connection(const ConnectionKey& key) {
  auto deleted = inner_->delete_connection(key);
  invalidate(key);
  return deleted;
}

Result<Connection> CachedStore::update_connection(const ConnectionKey& key,
                                                  const ConnectionUpdate& update) {
  auto updated = inner_->update_connection(key, update);
  invalidate(key);
  return updated;
}

Status CachedStore::set_metadata(const std::string& provider_config_key,
                                 const std::vector<std::string>& connection_ids,
                                 const nlohmann::json& metadata, bool merge) {
  auto set = inner_->set_metadata(provider_config_key, connection_ids, metadata, merge);
  std::lock_guard lock(mu_);
  for (const std::string& id : connection_ids) rows_.erase({provider_config_key, id});
  ++generation_;
  return set;
}

Status CachedStore::save_oauth_state(const OAuthSession& session) {
  return inner_->save_oauth_state(session);
}

Result<OAuthSession> CachedStore::take_oauth_state(std::string_view state) {
  return inner_->take_oauth_state(state);
}

Status CachedStore::save_connect_session(const ConnectSession& session) {
  return inner_->save_connect_session(session);
}

Result<ConnectSession> CachedStore::find_connect_session(std::string_view token_hash) {
  return inner_->find_connect_session(token_hash);
}

Status CachedStore::append_activity(const std::vector<ActivityEntry>& entries) {
  return inner_->append_activity(entries);
}

Result<std::vector<ActivityEntry>> CachedStore::list_activity(const ActivityFilter& filter) {
  return inner_->list_activity(filter);
}

Status CachedStore::prune_activity(std::size_t max_rows, std::chrono::seconds max_age) {
  return inner_->prune_activity(max_rows, max_age);
}

Status CachedStore::with_refresh_lock(const ConnectionKey& key, const std::function<Status()>& fn) {
  return inner_->with_refresh_lock(key, fn);
}

}  // namespace ferry::store
