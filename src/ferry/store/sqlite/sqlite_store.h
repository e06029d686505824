#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "ferry/store/refresh_claims.h"
#include "ferry/store/sqlite/statement.h"
#include "ferry/store/store.h"

namespace ferry::store {

// The Store in one SQLite file (the default backend).
//
// Durability: WAL journal, synchronous=NORMAL, foreign keys on, 5 s busy timeout. Every
// write runs in a BEGIN IMMEDIATE transaction, so a crash at any point leaves each row
// as it was before or after the write, never in between (a power cut may lose the last
// commits, never half of one).
//
// Threads: one connection, guarded by one mutex; every method may be called from any
// thread and calls are serialized. Other processes may open the same file (SQLite's
// file locks and the busy timeout arbitrate), but refresh claims are per process: a
// multi-instance deployment needs PostgreSQL, whose advisory locks span processes.
//
// Encryption: with a Cipher, credentials are sealed (AES-256-GCM, the row id as
// associated data) and a sealed key check in the `meta` table detects a wrong key at
// open. Rows written before a key was configured stay readable and are sealed on their
// next write.
class SqliteStore final : public Store {
 public:
  // Opens `path` (":memory:" for a private in-memory database), applies pragmas and
  // migrations, and checks the encryption key. Errors as open_store() documents.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   std::optional<Cipher> cipher,
                                                   std::shared_ptr<const Clock> clock);

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
  // In-process claims (RefreshClaims): one process owns the file's refreshes. PostgresStore
  // holds an advisory lock in the database instead, so its claims hold across instances.
  Result<std::unique_ptr<RefreshClaim>> try_claim_refresh(const ConnectionKey& key) override;
  // nullptr: one Ferry process per database file, no peers to hear from.
  Result<std::unique_ptr<Peers>> join_peers(PeerHandlers handlers) override;

 private:
  SqliteStore(sqlite::Database db, std::optional<Cipher> cipher,
              std::shared_ptr<const Clock> clock);

  // Open-time steps (sqlite_store.cc).
  Status configure();
  Status check_encryption_key();

  // Row helpers; REQUIRES: mu_ is held (sqlite_connections.cc).
  Result<std::optional<Connection>> find_locked(const ConnectionKey& key);
  Result<Connection> decode_connection(const sqlite::Statement& row) const;
  Status write_connection(const Connection& c, bool is_new);
  Status set_metadata_locked(const std::string& provider_config_key,
                             const std::vector<std::string>& connection_ids,
                             const nlohmann::json& metadata, bool merge);

  // Writes events to the outbox; REQUIRES: mu_ is held and a transaction is open
  // (sqlite_outbox.cc).
  Status append_outbox_locked(const std::vector<OutboxEvent>& events);

  // Flow and connect-session helpers; REQUIRES: mu_ is held, and a transaction is open for
  // the ones that write (sqlite_activity.cc, sqlite_connect_sessions.cc).
  Status check_pending_locked(const std::string& client_address, std::size_t max);
  Result<ConnectSession> find_connect_session_locked(std::string_view token_hash);
  Result<ConnectSession> use_connect_session_locked(std::string_view token_hash);

  std::mutex mu_;
  sqlite::Database db_;                 // guarded by mu_
  const std::optional<Cipher> cipher_;  // immutable
  const std::shared_ptr<const Clock> clock_;
  RefreshClaims refresh_claims_;  // thread-safe on its own; never under mu_
};

}  // namespace ferry::store
