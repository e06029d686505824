// PostgresStore: OAuth sessions and the activity log.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <variant>

#include "ferry/store/activity_query.h"
#include "ferry/store/postgres/advisory_keys.h"
#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/postgres/storable_text.h"
#include "ferry/store/row_codec.h"
#include "ferry/store/session_rows.h"

namespace ferry::store {
namespace {

using pg::DbConnection;
using pg::Param;

// Expired sessions are kept this long before save_oauth_state sweeps them, so a callback
// that arrives late still gets "expired" rather than "unknown".
constexpr std::chrono::hours kExpiredSessionGrace{24};

// Activity columns after id, as append_activity binds them.
constexpr int kActivityParams = 14;
// Rows per INSERT statement: PostgreSQL takes at most 65535 parameters per statement.
constexpr std::size_t kActivityRowsPerStatement = 1000;

constexpr std::string_view kActivityColumns =
    "id, \"timestamp\", level, type, provider_config_key, connection_id, method, url, status, "
    "duration_ms, bytes_in, bytes_out, attempts, message, details";

Result<ActivityEntry> decode_activity(const pg::Rows& rows, int row) {
  ActivityEntry e;
  e.id = rows.integer(row, 0);
  e.timestamp = from_millis(rows.integer(row, 1));
  e.level = rows.bytes(row, 2);
  e.type = rows.bytes(row, 3);
  e.provider_config_key = rows.bytes(row, 4);
  e.connection_id = rows.bytes(row, 5);
  e.method = rows.bytes(row, 6);
  e.url = rows.bytes(row, 7);
  e.status = static_cast<int>(rows.integer(row, 8));
  e.duration_ms = rows.integer(row, 9);
  e.bytes_in = rows.integer(row, 10);
  e.bytes_out = rows.integer(row, 11);
  e.attempts = static_cast<int>(rows.integer(row, 12));
  e.message = rows.bytes(row, 13);
  auto details =
      parse_json(rows.bytes(row, 14), "details of activity entry " + std::to_string(e.id));
  if (!details) return std::move(details).error();
  e.details = std::move(*details);
  return e;
}

// "INSERT ... VALUES ($1, ..., $14), ($15, ...)" for `rows` entries.
std::string activity_insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO activity (\"timestamp\", level, type, provider_config_key, connection_id, "
      "method, url, status, duration_ms, bytes_in, bytes_out, attempts, message, details) VALUES ";
  int n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 0; c < kActivityParams; ++c) {
      sql += (c == 0 ? "$" : ", $") + std::to_string(++n);
    }
    sql += ")";
  }
  return sql;
}

OAuthSession decode_session(const pg::Rows& rows) {
  OAuthSession s;
  s.state = rows.bytes(0, 0);
  s.provider_config_key = rows.bytes(0, 1);
  s.connection_id = rows.bytes(0, 2);
  s.code_verifier = rows.bytes(0, 3);
  s.ws_client_id = rows.bytes(0, 4);
  s.redirect_uri = rows.bytes(0, 5);
  s.expires_at = from_millis(rows.integer(0, 7));
  s.client_address = rows.bytes(0, 8);
  s.origin = rows.bytes(0, 9);
  s.may_overwrite = rows.boolean(0, 10);
  return s;
}

}  // namespace

Status PostgresStore::save_oauth_state(const OAuthSession& s, const StateAdmission& admission) {
  if (s.state.empty()) return Error{Errc::invalid_argument, "OAuth state must not be empty"};
  const TimePoint now = clock_->now();
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  if (auto swept = (*db)->run("DELETE FROM oauth_sessions WHERE expires_at < $1",
                              {pg::integer(to_millis(now - kExpiredSessionGrace))},
                              "sweep expired OAuth sessions");
      !swept) {
    return swept;
  }
  if (admission.max_pending_per_client > 0) {
    if (auto admitted = check_pending(**db, s.client_address, admission.max_pending_per_client);
        !admitted) {
      return admitted;
    }
  }
  if (!admission.connect_session_hash.empty()) {
    if (auto used = use_connect_session_in(**db, admission.connect_session_hash); !used) {
      return std::move(used).error();  // `tx` rolls back: no flow is saved
    }
  }
  auto saved = (*db)->run(
      "INSERT INTO oauth_sessions (state, provider_config_key, connection_id, code_verifier, "
      "ws_client_id, redirect_uri, params, expires_at, client_address, origin, may_overwrite, "
      "end_user, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {pg::text(s.state), pg::text(s.provider_config_key), pg::text(s.connection_id),
       pg::text(s.code_verifier), pg::text(s.ws_client_id), pg::text(s.redirect_uri),
       pg::text(dump_json(s.params)), pg::integer(to_millis(s.expires_at)),
       pg::text(s.client_address), pg::text(s.origin), pg::boolean(s.may_overwrite),
       pg::text(dump_json(s.end_user)), pg::text(dump_json(s.tags))},
      "save OAuth session");
  if (!saved) {
    if (saved.error().code == Errc::conflict) {
      return Error{Errc::conflict, "an OAuth session with this state already exists"};
    }
    return saved;
  }
  return tx->commit();
}

Status PostgresStore::check_pending(DbConnection& db, const std::string& client_address,
                                    std::size_t max) {
  // Count-then-insert is a race under READ COMMITTED: this transaction-scoped lock makes
  // flows of one client address (in any instance) take turns until they commit.
  if (auto locked = db.run("SELECT pg_advisory_xact_lock($1::bigint)",
                           {pg::integer(pg::admission_lock_key(client_address))},
                           "lock the pending OAuth flows of a client");
      !locked) {
    return locked;
  }
  auto count = db.exec(
      "SELECT COUNT(*) FROM oauth_sessions WHERE client_address = $1 AND expires_at > $2",
      {pg::text(client_address), pg::integer(to_millis(clock_->now()))},
      "count pending OAuth sessions");
  if (!count) return std::move(count).error();
  const std::int64_t pending = count->empty() ? 0 : count->integer(0, 0);
  if (pending < static_cast<std::int64_t>(max)) return ok();
  return Error{Errc::too_many_requests,
               "client " + client_address + " already has " + std::to_string(pending) +
                   " unfinished OAuth flows, the most allowed"};
}

Result<OAuthSession> PostgresStore::take_oauth_state(std::string_view state) {
  const TimePoint now = clock_->now();
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  // One statement removes and returns the row: of two callbacks racing with one state,
  // one gets it and the other finds nothing. Removed before any verdict: a state is used
  // up even when it turns out expired.
  auto taken = (*db)->exec(
      "DELETE FROM oauth_sessions WHERE state = $1 RETURNING state, provider_config_key, "
      "connection_id, code_verifier, ws_client_id, redirect_uri, params, expires_at, "
      "client_address, origin, may_overwrite, end_user, tags",
      {pg::text(state)}, "take OAuth session");
  if (!taken) return std::move(taken).error();
  if (taken->empty()) return Error{Errc::not_found, "unknown or already used OAuth state"};
  OAuthSession s = decode_session(*taken);
  auto params = parse_json(taken->bytes(0, 6), "params of an OAuth session");
  auto end_user = parse_json(taken->bytes(0, 11), "end user of an OAuth session");
  auto tags = parse_json(taken->bytes(0, 12), "tags of an OAuth session");
  return finish_oauth_session(std::move(s), std::move(params), std::move(end_user),
                              std::move(tags), now);
}

Status PostgresStore::append_activity(const std::vector<ActivityEntry>& entries) {
  if (entries.empty()) return ok();
  const std::int64_t now = to_millis(clock_->now());
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  for (std::size_t first = 0; first < entries.size(); first += kActivityRowsPerStatement) {
    const std::size_t count = std::min(kActivityRowsPerStatement, entries.size() - first);
    std::vector<Param> params;
    params.reserve(count * kActivityParams);
    for (std::size_t i = first; i < first + count; ++i) {
      const ActivityEntry& e = entries[i];
      // A log line is kept rather than refused for bytes PostgreSQL cannot store.
      auto text = [](std::string_view value) { return pg::text(pg::storable_text(value)); };
      for (Param p : {pg::integer(e.timestamp == TimePoint{} ? now : to_millis(e.timestamp)),
                      text(e.level), text(e.type), text(e.provider_config_key),
                      text(e.connection_id), text(e.method), text(e.url), pg::integer(e.status),
                      pg::integer(e.duration_ms), pg::integer(e.bytes_in),
                      pg::integer(e.bytes_out), pg::integer(e.attempts), text(e.message),
                      pg::text(dump_json(e.details))}) {
        params.push_back(std::move(p));
      }
    }
    // Identity values are drawn in VALUES order, so ids ascend as the entries do.
    if (auto appended = (*db)->exec(activity_insert_sql(count), params, "append activity");
        !appended) {
      return std::move(appended).error();  // `tx` rolls back: all entries or none
    }
  }
  return tx->commit();
}

Result<std::vector<ActivityEntry>> PostgresStore::list_activity(const ActivityFilter& filter) {
  const ActivityQuery query = activity_query(filter, kActivityColumns, SqlDialect::postgres);
  std::vector<Param> params;
  params.reserve(query.params.size());
  for (const SqlValue& value : query.params) {
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      params.push_back(pg::integer(*n));
    } else {
      // Stored text went through storable_text: a value is compared as it would be stored,
      // and bytes PostgreSQL cannot take (NUL, invalid UTF-8) never fail the query.
      params.push_back(pg::text(pg::storable_text(std::get<std::string>(value))));
    }
  }
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto rows = (*db)->exec(query.sql, params, "list activity");
  if (!rows) return std::move(rows).error();
  std::vector<ActivityEntry> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    auto entry = decode_activity(*rows, row);
    if (!entry) return std::move(entry).error();
    out.push_back(std::move(*entry));
  }
  return out;
}

Result<std::size_t> PostgresStore::prune_activity(std::size_t max_rows,
                                                  std::chrono::seconds max_age,
                                                  std::size_t limit) {
  const TimePoint now = clock_->now();
  const auto budget = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  std::int64_t deleted = 0;
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  // Both deletes walk the (timestamp, id) index, oldest first.
  if (max_age.count() > 0 && deleted < budget) {
    auto pruned = (*db)->exec(
        "DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE \"timestamp\" < $1 "
        "ORDER BY \"timestamp\", id LIMIT $2::bigint)",
        {pg::integer(to_millis(now - max_age)), pg::integer(budget - deleted)},
        "prune old activity");
    if (!pruned) return std::move(pruned).error();
    deleted += pruned->affected();
  }
  if (max_rows > 0 && deleted < budget) {
    // Those after the newest max_rows, as SqliteStore does.
    auto pruned = (*db)->exec(
        "DELETE FROM activity WHERE id IN (SELECT id FROM activity "
        "ORDER BY \"timestamp\" DESC, id DESC LIMIT $1::bigint OFFSET $2::bigint)",
        {pg::integer(budget - deleted),
         pg::integer(static_cast<std::int64_t>(
             std::min<std::size_t>(max_rows, std::numeric_limits<std::int64_t>::max())))},
        "prune excess activity");
    if (!pruned) return std::move(pruned).error();
    deleted += pruned->affected();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return static_cast<std::size_t>(deleted);
}

}  // namespace ferry::store
