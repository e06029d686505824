#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "ferry/store/postgres/pool.h"
#include "ferry/store/store.h"

namespace ferry::store {

// How a PostgresStore uses its database.
struct PostgresOptions {
  // Connections for queries (ferry.yaml database_pool_size). Default: 4.
  std::size_t pool_size = 4;
  // libpq connect_timeout; a connect_timeout in the URL overrides it. Default: 5 s.
  std::chrono::seconds connect_timeout{5};
  // The server cancels a query running longer; the call fails with Errc::unavailable.
  // Default: 15 s.
  std::chrono::milliseconds statement_timeout{15'000};
};

// The Store in a PostgreSQL database, shared by any number of Ferry instances.
//
// Connections: a pool of options.pool_size connections serves the queries; every method
// borrows one for its statements and gives it back before returning. A connection lost to
// a database restart, a network failure or pg_terminate_backend() is dropped and replaced
// on the next call. While the database cannot be reached, calls fail with
// Errc::unavailable saying why (the API answers 503), each after at most the connect
// timeout; none crashes or waits indefinitely.
//
// Atomicity: every write is one statement or one transaction. Read-modify-write methods
// lock the rows they change (SELECT ... FOR UPDATE), so concurrent callers in any
// instance serialize on the row as SqliteStore's callers do on its mutex: of two
// use_connect_session() calls exactly one succeeds, an expected_version check cannot be
// overtaken, set_metadata() locks its rows in one order and cannot deadlock against
// itself. The per-client count of pending OAuth flows holds under concurrency through a
// transaction-scoped advisory lock per client address.
//
// Refresh claims, across processes: try_claim_refresh() takes a session-level advisory
// lock (two integer keys from refresh_lock_key()) with pg_try_advisory_lock on a connection
// of its own and keeps that connection until the claim is destroyed, token request
// included; the holder queries through the query pool meanwhile. If the process dies,
// PostgreSQL ends the session and releases the claim. Claim connections come from a second
// pool of the same size, never from the query pool, so holders never starve queries; a
// (pool_size + 1)th concurrent claim in one instance is refused at once, as a claim held
// elsewhere is, and its caller retries (blocking no thread while the claims it waits for
// are released on the blocking pool). An instance thus opens at most 2 x pool_size
// connections, plus one listening session (join_peers) and one during migrations at open.
//
// Coherence across processes: every committed change to a connection row is announced by
// the database (a trigger NOTIFYing ferry_connection_changes, tagged with the writing
// session's instance); join_peers() hears other instances' announcements.
//
// Encryption: as SqliteStore (store/sealed_credentials.h).
//
// Threads: every method may be called from any thread, concurrently; each blocks on the
// database (call it from the blocking pool, never from an I/O thread).
class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgresql:// or postgres://, passed to libpq as given), applies
  // pending migrations under an advisory lock, and checks the encryption key. Errors as
  // open_store() documents; an unreachable database is Errc::unavailable.
  static Result<std::unique_ptr<PostgresStore>> open(std::string_view url,
                                                     const PostgresOptions& options,
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
  // FOR UPDATE SKIP LOCKED: instances leasing at the same moment take different events.
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
  // Listens on a session of its own (PostgresPeers); announces through the query pool.
  Result<std::unique_ptr<Peers>> join_peers(PeerHandlers handlers) override;

  // The ferry.instance tag of this store's sessions: a uuid made at open (tests).
  const std::string& instance_id() const { return instance_id_; }

  // Connections open now in the query pool and the claim pool (tests).
  std::size_t open_query_connections() const { return queries_.open_connections(); }
  std::size_t open_claim_connections() const { return claims_.open_connections(); }

 private:
  PostgresStore(std::shared_ptr<const pg::Target> target, const PostgresOptions& options,
                std::optional<Cipher> cipher, std::shared_ptr<const Clock> clock);

  // Open-time steps (postgres_store.cc).
  Status migrate(const PostgresOptions& options);
  Status check_encryption_key();
  const Cipher* cipher() const { return cipher_ ? &*cipher_ : nullptr; }

  // Row helpers on a borrowed connection (postgres_connections.cc).
  Result<Connection> decode_connection(const pg::Rows& rows, int row) const;
  Result<std::optional<Connection>> find_in(pg::DbConnection& db, const ConnectionKey& key,
                                            bool for_update);
  Status write_connection(pg::DbConnection& db, const Connection& c, bool is_new);

  // Writes events to the outbox on `db`, in the caller's transaction (postgres_outbox.cc).
  Status append_outbox_in(pg::DbConnection& db, const std::vector<OutboxEvent>& events);

  // Flow and connect-session helpers (postgres_activity.cc, postgres_connect_sessions.cc).
  // REQUIRES for check_pending, use_connect_session_in and find_connect_session_in with
  // `for_update`: a transaction is open on `db`, and holds the locks they take.
  Status check_pending(pg::DbConnection& db, const std::string& client_address, std::size_t max);
  Result<ConnectSession> find_connect_session_in(pg::DbConnection& db,
                                                 std::string_view token_hash, bool for_update);
  Result<ConnectSession> use_connect_session_in(pg::DbConnection& db,
                                                std::string_view token_hash);

  const std::shared_ptr<const pg::Target> target_;
  const PostgresOptions options_;
  const std::string instance_id_;
  const std::optional<Cipher> cipher_;  // immutable
  const std::shared_ptr<const Clock> clock_;
  pg::Pool queries_;  // thread-safe
  pg::Pool claims_;   // thread-safe; connections holding refresh claims
};

}  // namespace ferry::store
