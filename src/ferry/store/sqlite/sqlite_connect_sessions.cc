// SqliteStore: connect sessions.
#include <string>
#include <utility>

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
      "expires_at) VALUES (?, ?, ?, ?, ?)",
      "save connect session");
  if (!insert) return std::move(insert).error();
  auto saved = insert->bind_text(1, s.token_hash)
                   .bind_text(2, sqlite::dump_json(s.allowed_integrations))
                   .bind_text(3, sqlite::dump_json(s.request))
                   .bind_int(4, sqlite::to_millis(created))
                   .bind_int(5, sqlite::to_millis(s.expires_at))
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
  const TimePoint now = clock_->now();
  std::lock_guard lock(mu_);
  auto read = db_.prepare(
      "SELECT token_hash, allowed_integrations, request, created_at, expires_at "
      "FROM connect_sessions WHERE token_hash = ?",
      "read connect session");
  if (!read) return std::move(read).error();
  auto row = read->bind_text(1, token_hash).step();
  if (!row) return std::move(row).error();
  if (!*row) return Error{Errc::not_found, "unknown connect session"};
  ConnectSession s;
  s.token_hash = read->column_bytes(0);
  auto allowed = sqlite::parse_json(read->column_bytes(1), "allowed integrations of a connect session");
  auto request = sqlite::parse_json(read->column_bytes(2), "request of a connect session");
  s.created_at = sqlite::from_millis(read->column_int(3));
  s.expires_at = sqlite::from_millis(read->column_int(4));
  read->reset();
  if (!allowed) return std::move(allowed).error();
  if (!request) return std::move(request).error();
  if (!allowed->is_array()) {
    return Error{Errc::storage_corrupt, "allowed integrations of a connect session are not a list"};
  }
  for (const auto& key : *allowed) {
    if (key.is_string()) s.allowed_integrations.push_back(key.get<std::string>());
  }
  s.request = std::move(*request);
  if (s.expires_at <= now) {
    return Error{Errc::invalid_argument, "the connect session expired; create a new one"};
  }
  return s;
}

}  // namespace ferry::store
