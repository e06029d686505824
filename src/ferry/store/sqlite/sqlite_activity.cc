// SqliteStore: OAuth sessions and the activity log.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <variant>

#include "ferry/store/activity_query.h"
#include "ferry/store/session_rows.h"
#include "ferry/store/sqlite/codec.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

// Expired sessions are kept this long before save_oauth_state sweeps them, so a callback
// that arrives late still gets "expired" rather than "unknown".
constexpr std::chrono::hours kExpiredSessionGrace{24};

constexpr std::string_view kActivityColumns =
    "id, timestamp, level, type, provider_config_key, connection_id, method, url, status, "
    "duration_ms, bytes_in, bytes_out, attempts, message, details";

Result<ActivityEntry> decode_activity(const Statement& row) {
  ActivityEntry e;
  e.id = row.column_int(0);
  e.timestamp = sqlite::from_millis(row.column_int(1));
  e.level = row.column_bytes(2);
  e.type = row.column_bytes(3);
  e.provider_config_key = row.column_bytes(4);
  e.connection_id = row.column_bytes(5);
  e.method = row.column_bytes(6);
  e.url = row.column_bytes(7);
  e.status = static_cast<int>(row.column_int(8));
  e.duration_ms = row.column_int(9);
  e.bytes_in = row.column_int(10);
  e.bytes_out = row.column_int(11);
  e.attempts = static_cast<int>(row.column_int(12));
  e.message = row.column_bytes(13);
  auto details =
      sqlite::parse_json(row.column_bytes(14), "details of activity entry " + std::to_string(e.id));
  if (!details) return std::move(details).error();
  e.details = std::move(*details);
  return e;
}

}  // namespace

Status SqliteStore::save_oauth_state(const OAuthSession& s, const StateAdmission& admission) {
  if (s.state.empty()) return Error{Errc::invalid_argument, "OAuth state must not be empty"};
  const TimePoint now = clock_->now();
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto sweep = db_.prepare("DELETE FROM oauth_sessions WHERE expires_at < ?",
                           "sweep expired OAuth sessions");
  if (!sweep) return std::move(sweep).error();
  if (auto swept = sweep->bind_int(1, sqlite::to_millis(now - kExpiredSessionGrace)).run();
      !swept) {
    return swept;
  }
  if (admission.max_pending_per_client > 0) {
    if (auto admitted = check_pending_locked(s.client_address, admission.max_pending_per_client);
        !admitted) {
      return admitted;
    }
  }
  if (!admission.connect_session_hash.empty()) {
    if (auto used = use_connect_session_locked(admission.connect_session_hash); !used) {
      return std::move(used).error();  // `tx` rolls back: no flow is saved
    }
  }
  auto insert = db_.prepare(
      "INSERT INTO oauth_sessions (state, provider_config_key, connection_id, code_verifier, "
      "ws_client_id, redirect_uri, params, expires_at, client_address, origin, may_overwrite, "
      "end_user, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      "save OAuth session");
  if (!insert) return std::move(insert).error();
  auto saved = insert->bind_text(1, s.state)
                   .bind_text(2, s.provider_config_key)
                   .bind_text(3, s.connection_id)
                   .bind_text(4, s.code_verifier)
                   .bind_text(5, s.ws_client_id)
                   .bind_text(6, s.redirect_uri)
                   .bind_text(7, sqlite::dump_json(s.params))
                   .bind_int(8, sqlite::to_millis(s.expires_at))
                   .bind_text(9, s.client_address)
                   .bind_text(10, s.origin)
                   .bind_int(11, s.may_overwrite ? 1 : 0)
                   .bind_text(12, sqlite::dump_json(s.end_user))
                   .bind_text(13, sqlite::dump_json(s.tags))
                   .run();
  if (!saved) {
    if (saved.error().code == Errc::conflict) {
      return Error{Errc::conflict, "an OAuth session with this state already exists"};
    }
    return saved;
  }
  return tx->commit();
}

Status SqliteStore::check_pending_locked(const std::string& client_address, std::size_t max) {
  auto count = db_.prepare(
      "SELECT COUNT(*) FROM oauth_sessions WHERE client_address = ? AND expires_at > ?",
      "count pending OAuth sessions");
  if (!count) return std::move(count).error();
  auto row = count->bind_text(1, client_address).bind_int(2, sqlite::to_millis(clock_->now())).step();
  if (!row) return std::move(row).error();
  const std::int64_t pending = *row ? count->column_int(0) : 0;
  count->reset();
  if (pending < static_cast<std::int64_t>(max)) return ok();
  return Error{Errc::too_many_requests,
               "client " + client_address + " already has " + std::to_string(pending) +
                   " unfinished OAuth flows, the most allowed"};
}

Result<OAuthSession> SqliteStore::take_oauth_state(std::string_view state) {
  const TimePoint now = clock_->now();
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto read = db_.prepare(
      "SELECT state, provider_config_key, connection_id, code_verifier, ws_client_id, "
      "redirect_uri, params, expires_at, client_address, origin, may_overwrite, end_user, tags "
      "FROM oauth_sessions WHERE state = ?",
      "read OAuth session");
  if (!read) return std::move(read).error();
  auto row = read->bind_text(1, state).step();
  if (!row) return std::move(row).error();
  if (!*row) return Error{Errc::not_found, "unknown or already used OAuth state"};
  OAuthSession s;
  s.state = read->column_bytes(0);
  s.provider_config_key = read->column_bytes(1);
  s.connection_id = read->column_bytes(2);
  s.code_verifier = read->column_bytes(3);
  s.ws_client_id = read->column_bytes(4);
  s.redirect_uri = read->column_bytes(5);
  s.expires_at = sqlite::from_millis(read->column_int(7));
  s.client_address = read->column_bytes(8);
  s.origin = read->column_bytes(9);
  s.may_overwrite = read->column_int(10) != 0;
  auto params = sqlite::parse_json(read->column_bytes(6), "params of an OAuth session");
  auto end_user = sqlite::parse_json(read->column_bytes(11), "end user of an OAuth session");
  auto tags = sqlite::parse_json(read->column_bytes(12), "tags of an OAuth session");
  read->reset();  // done reading before the row goes
  auto remove = db_.prepare("DELETE FROM oauth_sessions WHERE state = ?", "take OAuth session");
  if (!remove) return std::move(remove).error();
  if (auto removed = remove->bind_text(1, state).run(); !removed) {
    return std::move(removed).error();
  }
  // Committed before any verdict: a state is used up even when it turns out expired.
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return finish_oauth_session(std::move(s), std::move(params), std::move(end_user),
                              std::move(tags), now);
}

Status SqliteStore::append_activity(const std::vector<ActivityEntry>& entries) {
  if (entries.empty()) return ok();
  const std::int64_t now = sqlite::to_millis(clock_->now());
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto insert = db_.prepare(
      "INSERT INTO activity (timestamp, level, type, provider_config_key, connection_id, "
      "method, url, status, duration_ms, bytes_in, bytes_out, attempts, message, details) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      "append activity");
  if (!insert) return std::move(insert).error();
  for (const ActivityEntry& e : entries) {
    insert->reset();
    auto appended =
        insert->bind_int(1, e.timestamp == TimePoint{} ? now : sqlite::to_millis(e.timestamp))
            .bind_text(2, e.level)
            .bind_text(3, e.type)
            .bind_text(4, e.provider_config_key)
            .bind_text(5, e.connection_id)
            .bind_text(6, e.method)
            .bind_text(7, e.url)
            .bind_int(8, e.status)
            .bind_int(9, e.duration_ms)
            .bind_int(10, e.bytes_in)
            .bind_int(11, e.bytes_out)
            .bind_int(12, e.attempts)
            .bind_text(13, e.message)
            .bind_text(14, sqlite::dump_json(e.details))
            .run();
    if (!appended) return appended;  // `tx` rolls back: all entries or none
  }
  return tx->commit();
}

Result<std::vector<ActivityEntry>> SqliteStore::list_activity(const ActivityFilter& filter) {
  const ActivityQuery query = activity_query(filter, kActivityColumns, SqlDialect::sqlite);
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(query.sql, "list activity");
  if (!stmt) return std::move(stmt).error();
  for (std::size_t i = 0; i < query.params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const auto* n = std::get_if<std::int64_t>(&query.params[i])) {
      stmt->bind_int(index, *n);
    } else {
      stmt->bind_text(index, std::get<std::string>(query.params[i]));
    }
  }
  std::vector<ActivityEntry> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto entry = decode_activity(*stmt);
    if (!entry) return std::move(entry).error();
    out.push_back(std::move(*entry));
  }
}

Result<std::size_t> SqliteStore::prune_activity(std::size_t max_rows,
                                                std::chrono::seconds max_age, std::size_t limit) {
  const TimePoint now = clock_->now();
  // SQLite reads a LIMIT above INT64_MAX as negative, which means "no limit".
  const auto budget = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  std::int64_t deleted = 0;
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  // Both deletes walk activity_by_time (timestamp, id), oldest first.
  if (max_age.count() > 0 && deleted < budget) {
    auto old = db_.prepare(
        "DELETE FROM activity WHERE id IN "
        "(SELECT id FROM activity WHERE timestamp < ? ORDER BY timestamp, id LIMIT ?)",
        "prune old activity");
    if (!old) return std::move(old).error();
    auto pruned = old->bind_int(1, sqlite::to_millis(now - max_age))
                      .bind_int(2, budget - deleted)
                      .run();
    if (!pruned) return std::move(pruned).error();
    deleted += db_.changes();
  }
  if (max_rows > 0 && deleted < budget) {
    auto excess = db_.prepare(
        "DELETE FROM activity WHERE id IN "
        "(SELECT id FROM activity ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?)",
        "prune excess activity");
    if (!excess) return std::move(excess).error();
    auto pruned = excess->bind_int(1, budget - deleted)
                      .bind_int(2, static_cast<std::int64_t>(std::min<std::size_t>(
                                       max_rows, std::numeric_limits<std::int64_t>::max())))
                      .run();
    if (!pruned) return std::move(pruned).error();
    deleted += db_.changes();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return static_cast<std::size_t>(deleted);
}

}  // namespace ferry::store
