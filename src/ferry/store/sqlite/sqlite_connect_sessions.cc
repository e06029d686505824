// SqliteStore: connect sessions.
#include <string>
#include <utility>

#include "ferry/store/session_rows.h"
#include "ferry/store/sqlite/codec.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

using sqlite::Transaction;

// Expired sessions are kept this long before save_connect_session sweeps them, so a late
// use still gets "expired" rather than "unknown".
constexpr std::chrono::hours kExpiredSessionGrace{24};

}  // namespace

Status SqliteStore::save_connect_session(const ConnectSession& s) {
  if (s.token_hash.empty()) {
    return Error{Errc::invalid_argument, "a connect session needs a token hash"};
  }
  const TimePoint now = clock_->now();
  const TimePoint created = s.created_at == TimePoint{} ? now : s.created_at;
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto sweep = db_.prepare("DELETE FROM connect_sessions WHERE expires_at < ?",
                           "sweep expired connect sessions");
  if (!sweep) return std::move(sweep).error();
  if (auto swept = sweep->bind_int(1, sqlite::to_millis(now - kExpiredSessionGrace)).run();
      !swept) {
    return swept;
  }
  auto insert = db_.prepare(
      "INSERT INTO connect_sessions (token_hash, allowed_integrations, request, created_at, "
      "expires_at, connection_id, is_reconnect, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      "save connect session");
  if (!insert) return std::move(insert).error();
  std::optional<std::int64_t> used;
  if (s.used_at) used = sqlite::to_millis(*s.used_at);
  auto saved = insert->bind_text(1, s.token_hash)
                   .bind_text(2, sqlite::dump_json(s.allowed_integrations))
                   .bind_text(3, sqlite::dump_json(s.request))
                   .bind_int(4, sqlite::to_millis(created))
                   .bind_int(5, sqlite::to_millis(s.expires_at))
                   .bind_text(6, s.connection_id)
                   .bind_int(7, s.is_reconnect ? 1 : 0)
                   .bind_optional_int(8, used)
                   .run();
  if (!saved) {
    if (saved.error().code == Errc::conflict) {
      return Error{Errc::conflict, "a connect session with this token already exists"};
    }
    return saved;
  }
  return tx->commit();
}

Result<ConnectSession> SqliteStore::find_connect_session(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  return find_connect_session_locked(token_hash);
}

Result<ConnectSession> SqliteStore::use_connect_session(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto used = use_connect_session_locked(token_hash);
  if (!used) return used;
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return used;
}

Result<ConnectSession> SqliteStore::use_connect_session_locked(std::string_view token_hash) {
  auto found = find_connect_session_locked(token_hash);
  if (!found) return found;
  if (found->used_at) {
    return Error{Errc::conflict, "the connect session was already used by a connect flow"};
  }
  // The WHERE clause re-checks under the write lock: of two racing callers one changes the
  // row, the other sees no change and is refused.
  auto mark = db_.prepare(
      "UPDATE connect_sessions SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
      "use connect session");
  if (!mark) return std::move(mark).error();
  const TimePoint now = sqlite::truncate_millis(clock_->now());
  if (auto marked = mark->bind_int(1, sqlite::to_millis(now)).bind_text(2, token_hash).run();
      !marked) {
    return std::move(marked).error();
  }
  if (db_.changes() != 1) {
    return Error{Errc::conflict, "the connect session was already used by a connect flow"};
  }
  found->used_at = now;
  return found;
}

Result<ConnectSession> SqliteStore::find_connect_session_locked(std::string_view token_hash) {
  const TimePoint now = clock_->now();
  auto read = db_.prepare(
      "SELECT token_hash, allowed_integrations, request, created_at, expires_at, "
      "connection_id, is_reconnect, used_at FROM connect_sessions WHERE token_hash = ?",
      "read connect session");
  if (!read) return std::move(read).error();
  auto row = read->bind_text(1, token_hash).step();
  if (!row) return std::move(row).error();
  if (!*row) return Error{Errc::not_found, "unknown connect session"};
  ConnectSession s;
  s.token_hash = read->column_bytes(0);
  auto allowed =
      sqlite::parse_json(read->column_bytes(1), "allowed integrations of a connect session");
  auto request = sqlite::parse_json(read->column_bytes(2), "request of a connect session");
  s.created_at = sqlite::from_millis(read->column_int(3));
  s.expires_at = sqlite::from_millis(read->column_int(4));
  s.connection_id = read->column_bytes(5);
  s.is_reconnect = read->column_int(6) != 0;
  if (!read->column_is_null(7)) s.used_at = sqlite::from_millis(read->column_int(7));
  read->reset();
  return finish_connect_session(std::move(s), std::move(allowed), std::move(request), now);
}

}  // namespace ferry::store
