// PostgresStore: the webhook outbox (store/outbox.h). Instances share it: a lease takes rows
// with FOR UPDATE SKIP LOCKED, so two instances leasing at once never take the same event.
#include <algorithm>
#include <string>

#include "ferry/store/outbox.h"
#include "ferry/store/outbox_rules.h"
#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/row_codec.h"

namespace ferry::store {
namespace {

using pg::Param;

std::string select_outbox(std::string_view where) {
  return "SELECT " + std::string(kOutboxColumns) + " FROM outbox " + std::string(where);
}

Result<OutboxEvent> decode_outbox(const pg::Rows& rows, int row) {
  OutboxEvent e;
  e.seq = rows.integer(row, 0);
  e.id = rows.bytes(row, 1);
  e.key = {rows.bytes(row, 2), rows.bytes(row, 3)};
  e.type = rows.bytes(row, 4);
  e.body = rows.bytes(row, 5);
  e.created_at = from_millis(rows.integer(row, 6));
  auto state = outbox_state_from_name(rows.bytes(row, 7));
  if (!state) {
    return Error{Errc::storage_corrupt, "webhook event " + e.id + " has an unknown state"};
  }
  e.state = *state;
  e.attempts = static_cast<int>(rows.integer(row, 8));
  e.next_attempt_at = from_millis(rows.integer(row, 9));
  if (!rows.is_null(row, 10)) e.delivered_at = from_millis(rows.integer(row, 10));
  auto log = parse_json(rows.bytes(row, 11), "the attempt log of webhook event " + e.id);
  if (!log) return std::move(log).error();
  e.attempt_log = std::move(*log);
  return e;
}

Result<std::vector<OutboxEvent>> decode_all(const pg::Rows& rows) {
  std::vector<OutboxEvent> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    auto event = decode_outbox(rows, row);
    if (!event) return std::move(event).error();
    out.push_back(std::move(*event));
  }
  return out;
}

}  // namespace

Status PostgresStore::append_outbox_in(pg::DbConnection& db,
                                       const std::vector<OutboxEvent>& events) {
  if (events.empty()) return ok();
  if (auto checked = check_outbox_events(events); !checked) return checked;
  const std::int64_t now = to_millis(clock_->now());
  for (const OutboxEvent& e : events) {
    const std::int64_t created = e.created_at == TimePoint{} ? now : to_millis(e.created_at);
    auto written = db.run(
        "INSERT INTO outbox (id, provider_config_key, connection_id, type, body, created_at, "
        "next_attempt_at, state) VALUES ($1, $2, $3, $4, $5, $6::bigint, $6::bigint, $7) "
        "ON CONFLICT (id) DO NOTHING",
        {pg::text(e.id), pg::text(e.key.provider_config_key), pg::text(e.key.connection_id),
         pg::text(e.type), pg::text(e.body), pg::integer(created),
         pg::text(std::string(outbox_state_name(e.state)))},
        "write webhook event");
    if (!written) return written;
  }
  return ok();
}

Status PostgresStore::append_outbox(const std::vector<OutboxEvent>& events) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  if (auto written = append_outbox_in(**db, events); !written) return written;
  return tx->commit();
}

Result<std::vector<OutboxEvent>> PostgresStore::lease_outbox(const std::string& worker,
                                                             TimePoint now,
                                                             std::chrono::seconds lease,
                                                             std::size_t limit) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  const std::int64_t at = to_millis(now);
  const std::int64_t until =
      at + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count();
  // The oldest pending event of each connection, due and not leased, oldest first. An
  // event another instance is leasing right now is skipped, not waited for.
  auto rows = (*db)->exec(
      "UPDATE outbox SET leased_by = $1, lease_until = $2::bigint WHERE seq IN ("
      " SELECT e.seq FROM outbox AS e WHERE e.state = 'pending' AND e.next_attempt_at <= "
      "$3::bigint AND (e.lease_until IS NULL OR e.lease_until <= $3::bigint)"
      " AND NOT EXISTS (SELECT 1 FROM outbox AS o WHERE o.provider_config_key ="
      " e.provider_config_key AND o.connection_id = e.connection_id AND o.state = 'pending'"
      " AND o.seq < e.seq)"
      " ORDER BY e.seq LIMIT $4::bigint FOR UPDATE SKIP LOCKED) RETURNING " +
          std::string(kOutboxColumns),
      {pg::text(worker), pg::integer(until), pg::integer(at),
       pg::integer(static_cast<std::int64_t>(limit))},
      "lease webhook events");
  if (!rows) return std::move(rows).error();
  auto leased = decode_all(*rows);
  if (!leased) return leased;
  std::sort(leased->begin(), leased->end(),
            [](const OutboxEvent& a, const OutboxEvent& b) { return a.seq < b.seq; });
  return leased;
}

Status PostgresStore::finish_outbox_attempt(std::string_view id, const std::string& worker,
                                            const OutboxAttempt& attempt) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  auto read = (*db)->exec("SELECT leased_by, attempt_log FROM outbox WHERE id = $1 FOR UPDATE",
                          {pg::text(id)}, "read webhook event");
  if (!read) return std::move(read).error();
  if (read->empty()) return outbox_event_not_found(id);
  if (read->is_null(0, 0) || read->bytes(0, 0) != worker) return outbox_lease_lost(id, worker);
  auto log = parse_json(read->bytes(0, 1),
                        "the attempt log of webhook event " + std::string(id));
  if (!log) return std::move(log).error();
  const bool delivered = attempt.next_state == OutboxState::delivered;
  const TimePoint next =
      attempt.next_state == OutboxState::pending ? attempt.retry_at : attempt.at;
  auto written = (*db)->run(
      "UPDATE outbox SET state = $2, attempts = attempts + 1, attempt_log = $3, "
      "next_attempt_at = $4::bigint, delivered_at = $5::bigint, leased_by = NULL, "
      "lease_until = NULL WHERE id = $1",
      {pg::text(id), pg::text(outbox_state_name(attempt.next_state)),
       pg::text(dump_json(append_attempt(std::move(*log), attempt))),
       pg::integer(to_millis(next)), delivered ? pg::integer(to_millis(attempt.at)) : pg::null()},
      "record webhook attempt");
  if (!written) return written;
  return tx->commit();
}

Result<std::vector<OutboxEvent>> PostgresStore::list_outbox(const OutboxFilter& filter) {
  const Param params[] = {
      filter.state ? pg::text(outbox_state_name(*filter.state)) : pg::null(),
      filter.provider_config_key ? pg::text(*filter.provider_config_key) : pg::null(),
      filter.connection_id ? pg::text(*filter.connection_id) : pg::null(),
      filter.before_seq ? pg::integer(*filter.before_seq) : pg::null(),
      filter.limit == 0 ? pg::null() : pg::integer(static_cast<std::int64_t>(filter.limit))};
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto rows = (*db)->exec(
      select_outbox("WHERE ($1::text IS NULL OR state = $1::text) "
                    "AND ($2::text IS NULL OR provider_config_key = $2::text) "
                    "AND ($3::text IS NULL OR connection_id = $3::text) "
                    "AND ($4::bigint IS NULL OR seq < $4::bigint) "
                    "ORDER BY seq DESC LIMIT $5::bigint"),
      params, "list webhook events");
  if (!rows) return std::move(rows).error();
  return decode_all(*rows);
}

Result<OutboxEvent> PostgresStore::replay_outbox_event(std::string_view id, TimePoint now) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  auto read = (*db)->exec(select_outbox("WHERE id = $1 FOR UPDATE"), {pg::text(id)},
                          "read webhook event");
  if (!read) return std::move(read).error();
  if (read->empty()) return outbox_event_not_found(id);
  auto event = decode_outbox(*read, 0);
  if (!event) return event;
  if (event->state == OutboxState::pending) return outbox_event_pending(id);
  if (event->state == OutboxState::unroutable) return outbox_event_unroutable(id);
  auto written = (*db)->run(
      "UPDATE outbox SET state = 'pending', next_attempt_at = $2::bigint, delivered_at = NULL, "
      "leased_by = NULL, lease_until = NULL WHERE id = $1",
      {pg::text(id), pg::integer(to_millis(now))}, "replay webhook event");
  if (!written) return std::move(written).error();
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  event->state = OutboxState::pending;
  event->next_attempt_at = truncate_millis(now);
  event->delivered_at.reset();
  return event;
}

Result<std::size_t> PostgresStore::prune_outbox(TimePoint before, std::size_t limit) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto deleted = (*db)->exec(
      "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE state <> 'pending' "
      "AND created_at < $1::bigint ORDER BY seq LIMIT $2::bigint)",
      {pg::integer(to_millis(before)), pg::integer(static_cast<std::int64_t>(limit))},
      "prune webhook events");
  if (!deleted) return std::move(deleted).error();
  return static_cast<std::size_t>(deleted->affected());
}

}  // namespace ferry::store
