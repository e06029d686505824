#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/store/async_actions.h"
#include "ferry/store/outbox.h"
#include "ferry/store/peers.h"
#include "ferry/store/types.h"

namespace ferry::store {

// A held refresh claim (Store::try_claim_refresh); destroying it releases the claim. May be
// destroyed on any thread, and may block briefly doing so (the database is told): destroy it
// on the blocking pool.
class RefreshClaim {
 public:
  virtual ~RefreshClaim() = default;
};

// Where connections, OAuth state and the activity log live. Implemented by SqliteStore and
// PostgresStore, decorated by WriteThroughStore, faked in tests. Callable from any thread.
// Every write is atomic: it happens entirely or not at all, also across a crash.
// Any method may also fail with Errc::internal (disk, I/O), Errc::unavailable (the
// database stayed locked by another process past the busy timeout; for PostgreSQL also:
// the server cannot be reached, the connection was lost, a statement timed out) or
// Errc::storage_corrupt (unreadable rows, credentials that fail to decrypt).
class Store {
 public:
  virtual ~Store() = default;

  // Inserts `connection` and returns it as stored, and writes `events` to the outbox in the
  // same transaction (as append_outbox). Fills an empty id (uuid), epoch
  // created_at/updated_at (now) and a zero version (1). Errc::conflict when
  // (provider_config_key, connection_id) or id already exists; Errc::invalid_argument
  // when a key part is empty or a JSON field has the wrong shape (see Connection).
  virtual Result<Connection> create_connection(Connection connection,
                                               const std::vector<OutboxEvent>& events) = 0;
  Result<Connection> create_connection(Connection connection) {
    return create_connection(std::move(connection), {});
  }

  // The connection with credentials decrypted, or Errc::not_found.
  virtual Result<Connection> find_connection(const ConnectionKey& key) = 0;

  // Connections matching `filter`, ordered by (created_at, id), after skipping
  // filter.offset rows and up to filter.limit rows (0 = all).
  virtual Result<std::vector<Connection>> list_connections(const ConnectionFilter& filter) = 0;

  // Removes the connection, and writes `events` to the outbox in the same transaction.
  // Errc::not_found when there is none (nothing written).
  virtual Status delete_connection(const ConnectionKey& key,
                                   const std::vector<OutboxEvent>& events) = 0;
  Status delete_connection(const ConnectionKey& key) { return delete_connection(key, {}); }

  // Applies the set fields of `update` in one transaction, with update.events written to
  // the outbox in it too, bumps version and updated_at, and returns the new row. Errc::not_found; Errc::conflict when expected_version is set
  // and differs from the stored version (nothing written); Errc::invalid_argument for a
  // wrongly shaped JSON field.
  virtual Result<Connection> update_connection(const ConnectionKey& key,
                                               const ConnectionUpdate& update) = 0;

  // Sets the metadata of every listed connection of `provider_config_key` in ONE
  // transaction: replaces it (`merge` false) or overwrites only its top-level keys found
  // in `metadata` (`merge` true). Errc::not_found naming the first unknown id, and then
  // nothing is written; Errc::invalid_argument when `metadata` is not an object or
  // `connection_ids` is empty.
  virtual Status set_metadata(const std::string& provider_config_key,
                              const std::vector<std::string>& connection_ids,
                              const nlohmann::json& metadata, bool merge) = 0;

  // Remembers an OAuth flow until take_oauth_state(), in one transaction with the checks of
  // `admission`; when any fails, nothing is written. Errc::too_many_requests when
  // session.client_address already has admission.max_pending_per_client unexpired flows;
  // when admission.connect_session_hash is set, uses that connect session up, failing as
  // use_connect_session() does. Errc::conflict when the state already exists;
  // Errc::invalid_argument when it is empty. Also drops flows that expired more than a day
  // ago.
  virtual Status save_oauth_state(const OAuthSession& session,
                                  const StateAdmission& admission) = 0;

  // Atomically removes and returns the session for `state`, so a state works once.
  // Errc::not_found for an unknown (or already taken) state; Errc::invalid_argument
  // "... expired" when expires_at has passed (the session is removed all the same).
  virtual Result<OAuthSession> take_oauth_state(std::string_view state) = 0;

  // Stores a connect session. Errc::conflict when token_hash already exists;
  // Errc::invalid_argument when it is empty. Also drops sessions that expired more than a
  // day ago.
  virtual Status save_connect_session(const ConnectSession& session) = 0;

  // The connect session whose token hashes to `token_hash`, used or not (see used_at).
  // Errc::not_found for an unknown one; Errc::invalid_argument "... expired" once
  // expires_at has passed.
  virtual Result<ConnectSession> find_connect_session(std::string_view token_hash) = 0;

  // Atomically marks the session of `token_hash` used and returns it: of concurrent callers,
  // exactly one succeeds. Errc::not_found, Errc::invalid_argument "... expired" as
  // find_connect_session; Errc::conflict "... already used" when a flow used it before.
  virtual Result<ConnectSession> use_connect_session(std::string_view token_hash) = 0;

  // Appends the entries in one transaction; epoch timestamps become now.
  virtual Status append_activity(const std::vector<ActivityEntry>& entries) = 0;

  // Entries matching `filter`, newest first (by timestamp, then id).
  virtual Result<std::vector<ActivityEntry>> list_activity(const ActivityFilter& filter) = 0;

  // Deletes at most `limit` entries past retention, in one short transaction: first those
  // older than now - max_age, then those beyond the newest max_rows (a zero max_rows or
  // max_age disables that bound). Returns how many it deleted: fewer than `limit` means none
  // is left past retention. Callers prune in rounds, so that no write waits long behind one.
  virtual Result<std::size_t> prune_activity(std::size_t max_rows, std::chrono::seconds max_age,
                                             std::size_t limit) = 0;

  // The webhook outbox (store/outbox.h).
  //
  // Writes `events` in one transaction, skipping any whose id the outbox already holds.
  // Errc::invalid_argument when an id, key part or body is empty (nothing written).
  virtual Status append_outbox(const std::vector<OutboxEvent>& events) = 0;

  // Leases up to `limit` events due at `now` to `worker` until now + lease, oldest first:
  // pending events whose next_attempt_at has come and that no unexpired lease holds, each
  // the oldest pending event of its connection (so one connection's events go out one at a
  // time, in order). Processes sharing the database never hold the same event at once; a
  // lease that runs out (its worker died) frees the event for another.
  virtual Result<std::vector<OutboxEvent>> lease_outbox(const std::string& worker, TimePoint now,
                                                        std::chrono::seconds lease,
                                                        std::size_t limit) = 0;

  // Records `attempt` on event `id` and ends `worker`'s lease on it: attempts + 1, the
  // attempt log, the next state (delivered_at, or next_attempt_at = attempt.retry_at).
  // Errc::conflict when `worker` no longer holds the lease (nothing written);
  // Errc::not_found when there is no such event.
  virtual Status finish_outbox_attempt(std::string_view id, const std::string& worker,
                                       const OutboxAttempt& attempt) = 0;

  // Events matching `filter`, newest first (by seq).
  virtual Result<std::vector<OutboxEvent>> list_outbox(const OutboxFilter& filter) = 0;

  // Puts event `id` back in line to be sent at `now` (the attempt log is kept) and returns
  // it. Errc::not_found; Errc::conflict when it is pending already.
  virtual Result<OutboxEvent> replay_outbox_event(std::string_view id, TimePoint now) = 0;

  // Deletes at most `limit` delivered or dead events written before `before`, in one short
  // transaction, and returns how many (fewer than `limit`: none is left).
  virtual Result<std::size_t> prune_outbox(TimePoint before, std::size_t limit) = 0;

  // Asynchronous action runs (store/async_actions.h).
  //
  // Writes `run`, running; an epoch created_at becomes now. Errc::invalid_argument
  // (check_new_async_action); Errc::conflict when the id exists.
  virtual Status start_async_action(const AsyncActionRun& run) = 0;

  // Records the end of run `id`: `state` (succeeded or failed), `result` (JSON text) and
  // finished_at = now. Errc::not_found; Errc::conflict when the run is not running any more
  // (maintenance marked it failed when its lease ran out); Errc::invalid_argument or
  // Errc::payload_too_large as check_async_action_result. Nothing is written on error.
  virtual Status finish_async_action(std::string_view id, AsyncActionState state,
                                     std::string_view result) = 0;

  // Run `id` as seen now (as_seen_at: a running run whose lease ran out reads as failed).
  // Errc::not_found when `environment` has no run `id`, whichever other one does.
  virtual Result<AsyncActionRun> find_async_action(std::string_view environment,
                                                   std::string_view id) = 0;

  // Maintenance, in one short transaction: marks failed every running run whose lease ran
  // out by now, then deletes at most `limit` runs created before `before`, whatever their
  // state. Returns how many it deleted (fewer than `limit`: none is left).
  virtual Result<std::size_t> prune_async_actions(TimePoint before, std::size_t limit) = 0;

  // Takes `key`'s refresh claim when no one holds it: the claim, or nullptr when another
  // holder has it (in this process or, where the backend spans processes, in another one
  // sharing the database), or when the backend cannot hold one more claim right now (every
  // claim connection is in use): the caller retries later either way. Never waits. One holder at a time per key, for as long as
  // it keeps the claim, its token request included; the holder must re-read the connection
  // first, since the previous holder may have renewed it already. A holder that dies (a
  // crashed process) loses its claim with its database session.
  virtual Result<std::unique_ptr<RefreshClaim>> try_claim_refresh(const ConnectionKey& key) = 0;

  // Starts hearing from the other processes that share this database (store/peers.h):
  // `handlers` are called, on a thread of the store's, until the returned Peers is
  // destroyed, which must happen before this store's. nullptr (and no calls) when the
  // backend is not shared between processes (SQLite: one Ferry per database file).
  // Errors as the store's; a database down at the time is not one (the store keeps
  // trying, and reports all_connections_changed once it listens).
  virtual Result<std::unique_ptr<Peers>> join_peers(PeerHandlers handlers) = 0;
};

}  // namespace ferry::store
