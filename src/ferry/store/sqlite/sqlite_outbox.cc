// SqliteStore: the webhook outbox (store/outbox.h). One process per database file, so the
// store's mutex and an IMMEDIATE transaction make each lease exclusive.
#include <algorithm>
#include <string>

#include "ferry/store/outbox.h"
#include "ferry/store/outbox_rules.h"
#include "ferry/store/sqlite/codec.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

std::string select_outbox(std::string_view where) {
  return "SELECT " + std::string(kOutboxColumns) + " FROM outbox " + std::string(where);
}

Result<OutboxEvent> decode_outbox(const Statement& row) {
  OutboxEvent e;
  e.seq = row.column_int(0);
  e.id = row.column_bytes(1);
  e.key = {row.column_bytes(2), row.column_bytes(3)};
  e.type = row.column_bytes(4);
  e.body = row.column_bytes(5);
  e.created_at = sqlite::from_millis(row.column_int(6));
  auto state = outbox_state_from_name(row.column_bytes(7));
  if (!state) {
    return Error{Errc::storage_corrupt, "webhook event " + e.id + " has an unknown state"};
  }
  e.state = *state;
  e.attempts = static_cast<int>(row.column_int(8));
  e.next_attempt_at = sqlite::from_millis(row.column_int(9));
  if (!row.column_is_null(10)) e.delivered_at = sqlite::from_millis(row.column_int(10));
  auto log = sqlite::parse_json(row.column_bytes(11), "the attempt log of webhook event " + e.id);
  if (!log) return std::move(log).error();
  e.attempt_log = std::move(*log);
  return e;
}

Result<std::vector<OutboxEvent>> collect(Statement& stmt) {
  std::vector<OutboxEvent> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto event = decode_outbox(stmt);
    if (!event) return std::move(event).error();
    out.push_back(std::move(*event));
  }
}

}  // namespace

Status SqliteStore::append_outbox_locked(const std::vector<OutboxEvent>& events) {
  if (events.empty()) return ok();
  if (auto checked = check_outbox_events(events); !checked) return checked;
  const std::int64_t now = sqlite::to_millis(clock_->now());
  for (const OutboxEvent& e : events) {
    auto stmt = db_.prepare(
        "INSERT INTO outbox (id, provider_config_key, connection_id, type, body, created_at, "
        "next_attempt_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
        "ON CONFLICT (id) DO NOTHING",
        "write webhook event");
    if (!stmt) return std::move(stmt).error();
    const std::int64_t created =
        e.created_at == TimePoint{} ? now : sqlite::to_millis(e.created_at);
    auto written = stmt->bind_text(1, e.id)
                       .bind_text(2, e.key.provider_config_key)
                       .bind_text(3, e.key.connection_id)
                       .bind_text(4, e.type)
                       .bind_text(5, e.body)
                       .bind_int(6, created)
                       .bind_text(7, outbox_state_name(e.state))
                       .run();
    if (!written) return written;
  }
  return ok();
}

Status SqliteStore::append_outbox(const std::vector<OutboxEvent>& events) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  if (auto written = append_outbox_locked(events); !written) return written;
  return tx->commit();
}

Result<std::vector<OutboxEvent>> SqliteStore::lease_outbox(const std::string& worker,
                                                           TimePoint now,
                                                           std::chrono::seconds lease,
                                                           std::size_t limit) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  // The oldest pending event of each connection, due and not leased, oldest first.
  auto stmt = db_.prepare(
      "UPDATE outbox SET leased_by = ?1, lease_until = ?2 WHERE seq IN ("
      " SELECT e.seq FROM outbox AS e WHERE e.state = 'pending' AND e.next_attempt_at <= ?3"
      " AND (e.lease_until IS NULL OR e.lease_until <= ?3)"
      " AND NOT EXISTS (SELECT 1 FROM outbox AS o WHERE o.provider_config_key ="
      " e.provider_config_key AND o.connection_id = e.connection_id AND o.state = 'pending'"
      " AND o.seq < e.seq)"
      " ORDER BY e.seq LIMIT ?4) RETURNING " +
          std::string(kOutboxColumns),
      "lease webhook events");
  if (!stmt) return std::move(stmt).error();
  const std::int64_t at = sqlite::to_millis(now);
  stmt->bind_text(1, worker)
      .bind_int(2, at + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count())
      .bind_int(3, at)
      .bind_int(4, static_cast<std::int64_t>(limit));
  auto leased = collect(*stmt);
  if (!leased) return leased;
  stmt->reset();
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  std::sort(leased->begin(), leased->end(),
            [](const OutboxEvent& a, const OutboxEvent& b) { return a.seq < b.seq; });
  return leased;
}

Status SqliteStore::finish_outbox_attempt(std::string_view id, const std::string& worker,
                                          const OutboxAttempt& attempt) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto read = db_.prepare("SELECT leased_by, attempt_log FROM outbox WHERE id = ?1",
                          "read webhook event");
  if (!read) return std::move(read).error();
  auto row = read->bind_text(1, id).step();
  if (!row) return std::move(row).error();
  if (!*row) return outbox_event_not_found(id);
  if (read->column_is_null(0) || read->column_bytes(0) != worker) {
    return outbox_lease_lost(id, worker);
  }
  auto log = sqlite::parse_json(read->column_bytes(1), "the attempt log of webhook event " +
                                                           std::string(id));
  if (!log) return std::move(log).error();
  read->reset();
  auto write = db_.prepare(
      "UPDATE outbox SET state = ?2, attempts = attempts + 1, attempt_log = ?3, "
      "next_attempt_at = ?4, delivered_at = ?5, leased_by = NULL, lease_until = NULL "
      "WHERE id = ?1",
      "record webhook attempt");
  if (!write) return std::move(write).error();
  const bool delivered = attempt.next_state == OutboxState::delivered;
  const TimePoint next = attempt.next_state == OutboxState::pending ? attempt.retry_at : attempt.at;
  write->bind_text(1, id)
      .bind_text(2, outbox_state_name(attempt.next_state))
      .bind_text(3, sqlite::dump_json(append_attempt(std::move(*log), attempt)))
      .bind_int(4, sqlite::to_millis(next))
      .bind_optional_int(5, delivered ? std::optional(sqlite::to_millis(attempt.at))
                                      : std::nullopt);
  if (auto written = write->run(); !written) return written;
  return tx->commit();
}

Result<std::vector<OutboxEvent>> SqliteStore::list_outbox(const OutboxFilter& filter) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(
      select_outbox("WHERE (?1 IS NULL OR state = ?1) "
                    "AND (?2 IS NULL OR provider_config_key = ?2) "
                    "AND (?3 IS NULL OR connection_id = ?3) "
                    "AND (?4 IS NULL OR seq < ?4) ORDER BY seq DESC LIMIT ?5"),
      "list webhook events");
  if (!stmt) return std::move(stmt).error();
  if (filter.state) stmt->bind_text(1, outbox_state_name(*filter.state));
  if (filter.provider_config_key) stmt->bind_text(2, *filter.provider_config_key);
  if (filter.connection_id) stmt->bind_text(3, *filter.connection_id);
  if (filter.before_seq) stmt->bind_int(4, *filter.before_seq);
  // SQLite reads a negative LIMIT as "no limit".
  stmt->bind_int(5, filter.limit == 0 ? -1 : static_cast<std::int64_t>(filter.limit));
  return collect(*stmt);
}

Result<OutboxEvent> SqliteStore::replay_outbox_event(std::string_view id, TimePoint now) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto read = db_.prepare(select_outbox("WHERE id = ?1"), "read webhook event");
  if (!read) return std::move(read).error();
  auto row = read->bind_text(1, id).step();
  if (!row) return std::move(row).error();
  if (!*row) return outbox_event_not_found(id);
  auto event = decode_outbox(*read);
  if (!event) return event;
  read->reset();
  if (event->state == OutboxState::pending) return outbox_event_pending(id);
  if (event->state == OutboxState::unroutable) return outbox_event_unroutable(id);
  auto write = db_.prepare(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, delivered_at = NULL, "
      "leased_by = NULL, lease_until = NULL WHERE id = ?1",
      "replay webhook event");
  if (!write) return std::move(write).error();
  if (auto written = write->bind_text(1, id).bind_int(2, sqlite::to_millis(now)).run();
      !written) {
    return std::move(written).error();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  event->state = OutboxState::pending;
  event->next_attempt_at = sqlite::truncate_millis(now);
  event->delivered_at.reset();
  return event;
}

Result<std::size_t> SqliteStore::prune_outbox(TimePoint before, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(
      "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE state != 'pending' "
      "AND created_at < ?1 ORDER BY seq LIMIT ?2)",
      "prune webhook events");
  if (!stmt) return std::move(stmt).error();
  auto deleted = stmt->bind_int(1, sqlite::to_millis(before))
                     .bind_int(2, static_cast<std::int64_t>(limit))
                     .run();
  if (!deleted) return std::move(deleted).error();
  return static_cast<std::size_t>(db_.changes());
}

}  // namespace ferry::store
