// PostgresStore: connect sessions.
#include <string>
#include <utility>

#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/row_codec.h"
#include "ferry/store/session_rows.h"

namespace ferry::store {
namespace {

using pg::DbConnection;

// Expired sessions are kept this long before save_connect_session sweeps them, so a late
// use still gets "expired" rather than "unknown".
constexpr std::chrono::hours kExpiredSessionGrace{24};

Error already_used() {
  return Error{Errc::conflict, "the connect session was already used by a connect flow"};
}

}  // namespace

Status PostgresStore::save_connect_session(const ConnectSession& s) {
  if (s.token_hash.empty()) {
    return Error{Errc::invalid_argument, "a connect session needs a token hash"};
  }
  const TimePoint now = clock_->now();
  const TimePoint created = s.created_at == TimePoint{} ? now : s.created_at;
  std::optional<std::int64_t> used;
  if (s.used_at) used = to_millis(*s.used_at);
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  if (auto swept = (*db)->run("DELETE FROM connect_sessions WHERE expires_at < $1",
                              {pg::integer(to_millis(now - kExpiredSessionGrace))},
                              "sweep expired connect sessions");
      !swept) {
    return swept;
  }
  auto saved = (*db)->run(
      "INSERT INTO connect_sessions (token_hash, allowed_integrations, request, created_at, "
      "expires_at, connection_id, is_reconnect, used_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {pg::text(s.token_hash), pg::text(dump_json(s.allowed_integrations)),
       pg::text(dump_json(s.request)), pg::integer(to_millis(created)),
       pg::integer(to_millis(s.expires_at)), pg::text(s.connection_id),
       pg::boolean(s.is_reconnect), pg::optional_integer(used)},
      "save connect session");
  if (!saved) {
    if (saved.error().code == Errc::conflict) {
      return Error{Errc::conflict, "a connect session with this token already exists"};
    }
    return saved;
  }
  return tx->commit();
}

Result<ConnectSession> PostgresStore::find_connect_session(std::string_view token_hash) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  return find_connect_session_in(**db, token_hash, /*for_update=*/false);
}

Result<ConnectSession> PostgresStore::use_connect_session(std::string_view token_hash) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  auto used = use_connect_session_in(**db, token_hash);
  if (!used) return used;
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return used;
}

Result<ConnectSession> PostgresStore::use_connect_session_in(DbConnection& db,
                                                             std::string_view token_hash) {
  // FOR UPDATE: a concurrent user of the same session waits here until this transaction
  // ends, then reads the row as committed, used_at set, and is refused.
  auto found = find_connect_session_in(db, token_hash, /*for_update=*/true);
  if (!found) return found;
  if (found->used_at) return already_used();
  const TimePoint now = truncate_millis(clock_->now());
  auto marked = db.exec(
      "UPDATE connect_sessions SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
      {pg::integer(to_millis(now)), pg::text(token_hash)}, "use connect session");
  if (!marked) return std::move(marked).error();
  if (marked->affected() != 1) return already_used();
  found->used_at = now;
  return found;
}

Result<ConnectSession> PostgresStore::find_connect_session_in(DbConnection& db,
                                                              std::string_view token_hash,
                                                              bool for_update) {
  const TimePoint now = clock_->now();
  auto read = db.exec(std::string("SELECT token_hash, allowed_integrations, request, created_at, "
                                  "expires_at, connection_id, is_reconnect, used_at "
                                  "FROM connect_sessions WHERE token_hash = $1") +
                          (for_update ? " FOR UPDATE" : ""),
                      {pg::text(token_hash)}, "read connect session");
  if (!read) return std::move(read).error();
  if (read->empty()) return Error{Errc::not_found, "unknown connect session"};
  ConnectSession s;
  s.token_hash = read->bytes(0, 0);
  auto allowed = parse_json(read->bytes(0, 1), "allowed integrations of a connect session");
  auto request = parse_json(read->bytes(0, 2), "request of a connect session");
  s.created_at = from_millis(read->integer(0, 3));
  s.expires_at = from_millis(read->integer(0, 4));
  s.connection_id = read->bytes(0, 5);
  s.is_reconnect = read->boolean(0, 6);
  if (!read->is_null(0, 7)) s.used_at = from_millis(read->integer(0, 7));
  return finish_connect_session(std::move(s), std::move(allowed), std::move(request), now);
}

}  // namespace ferry::store
