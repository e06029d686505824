#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "ferry/store/store.h"

namespace ferry::store::testing {

using nlohmann::json;

// Passes everything to `inner` and counts find_connection calls; `on_find`, when set, runs
// after each read (a test's chance to write "meanwhile", as another thread would). Records
// the limit of every prune_activity call.
class CountingStore final : public Store {
 public:
  explicit CountingStore(Store* inner) : inner_(inner) {}
  std::atomic<int> finds{0};
  std::function<void()> on_find;
  std::function<void()> on_append;  // runs before each append_activity (e.g. to hold it)
  std::mutex prune_mutex;
  std::vector<std::size_t> prune_limits;  // guarded by prune_mutex

  using Store::create_connection;
  using Store::delete_connection;
  Result<Connection> create_connection(Connection c,
                                       const std::vector<OutboxEvent>& events) override {
    return inner_->create_connection(std::move(c), events);
  }
  Result<Connection> find_connection(const ConnectionKey& key) override {
    ++finds;
    auto found = inner_->find_connection(key);
    if (on_find) on_find();
    return found;
  }
  Result<std::vector<Connection>> list_connections(const ConnectionFilter& f) override {
    return inner_->list_connections(f);
  }
  Status delete_connection(const ConnectionKey& key,
                           const std::vector<OutboxEvent>& events) override {
    return inner_->delete_connection(key, events);
  }
  Result<Connection> update_connection(const ConnectionKey& key,
                                       const ConnectionUpdate& u) override {
    return inner_->update_connection(key, u);
  }
  Status set_metadata(const std::string& pck, const std::vector<std::string>& ids,
                      const json& metadata, bool merge) override {
    return inner_->set_metadata(pck, ids, metadata, merge);
  }
  Status save_oauth_state(const OAuthSession& s, const StateAdmission& a) override {
    return inner_->save_oauth_state(s, a);
  }
  Result<OAuthSession> take_oauth_state(std::string_view s) override {
    return inner_->take_oauth_state(s);
  }
  Status save_connect_session(const ConnectSession& s) override {
    return inner_->save_connect_session(s);
  }
  Result<ConnectSession> find_connect_session(std::string_view h) override {
    return inner_->find_connect_session(h);
  }
  Result<ConnectSession> use_connect_session(std::string_view h) override {
    return inner_->use_connect_session(h);
  }
  Status append_activity(const std::vector<ActivityEntry>& e) override {
    if (on_append) on_append();
    return inner_->append_activity(e);
  }
  Result<std::vector<ActivityEntry>> list_activity(const ActivityFilter& f) override {
    return inner_->list_activity(f);
  }
  Result<std::size_t> prune_activity(std::size_t rows, std::chrono::seconds age,
                                     std::size_t limit) override {
    {
      std::lock_guard lock(prune_mutex);
      prune_limits.push_back(limit);
    }
    return inner_->prune_activity(rows, age, limit);
  }
  Status append_outbox(const std::vector<OutboxEvent>& events) override {
    return inner_->append_outbox(events);
  }
  Result<std::vector<OutboxEvent>> lease_outbox(const std::string& worker, TimePoint now,
                                                std::chrono::seconds lease,
                                                std::size_t limit) override {
    return inner_->lease_outbox(worker, now, lease, limit);
  }
  Status finish_outbox_attempt(std::string_view id, const std::string& worker,
                               const OutboxAttempt& attempt) override {
    return inner_->finish_outbox_attempt(id, worker, attempt);
  }
  Result<std::vector<OutboxEvent>> list_outbox(const OutboxFilter& f) override {
    return inner_->list_outbox(f);
  }
  Result<OutboxEvent> replay_outbox_event(std::string_view id, TimePoint now) override {
    return inner_->replay_outbox_event(id, now);
  }
  Result<std::size_t> prune_outbox(TimePoint before, std::size_t limit) override {
    return inner_->prune_outbox(before, limit);
  }
  Status start_async_action(const AsyncActionRun& run) override {
    return inner_->start_async_action(run);
  }
  Status finish_async_action(std::string_view id, AsyncActionState state,
                             std::string_view result) override {
    return inner_->finish_async_action(id, state, result);
  }
  Result<AsyncActionRun> find_async_action(std::string_view environment,
                                           std::string_view id) override {
    return inner_->find_async_action(environment, id);
  }
  Result<std::size_t> prune_async_actions(TimePoint before, std::size_t limit) override {
    return inner_->prune_async_actions(before, limit);
  }
  Result<std::unique_ptr<RefreshClaim>> try_claim_refresh(const ConnectionKey& key) override {
    return inner_->try_claim_refresh(key);
  }
  Result<std::unique_ptr<Peers>> join_peers(PeerHandlers handlers) override {
    return inner_->join_peers(std::move(handlers));
  }

 private:
  Store* inner_;
};

}  // namespace ferry::store::testing
