// SqliteStore: asynchronous action runs (store/async_actions.h).
#include <string>

#include "ferry/store/async_actions.h"
#include "ferry/store/sqlite/codec.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

Result<AsyncActionRun> decode_run(const Statement& row) {
  AsyncActionRun run;
  run.id = row.column_bytes(0);
  run.environment = row.column_bytes(1);
  run.key = {row.column_bytes(2), row.column_bytes(3)};
  run.action_name = row.column_bytes(4);
  auto state = async_action_state_from_name(row.column_bytes(5));
  if (!state) {
    return Error{Errc::storage_corrupt, "asynchronous action " + run.id + " has an unknown state"};
  }
  run.state = *state;
  run.result = row.column_bytes(6);
  run.created_at = sqlite::from_millis(row.column_int(7));
  run.lease_until = sqlite::from_millis(row.column_int(8));
  if (!row.column_is_null(9)) run.finished_at = sqlite::from_millis(row.column_int(9));
  return run;
}

}  // namespace

Status SqliteStore::start_async_action(const AsyncActionRun& run) {
  if (auto checked = check_new_async_action(run); !checked) return checked;
  const TimePoint created = run.created_at == TimePoint{} ? clock_->now() : run.created_at;
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(
      "INSERT INTO async_actions (id, environment, provider_config_key, connection_id, "
      "action_name, state, result, created_at, lease_until) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'running', '', ?6, ?7)",
      "write asynchronous action");
  if (!stmt) return std::move(stmt).error();
  return stmt->bind_text(1, run.id)
      .bind_text(2, run.environment)
      .bind_text(3, run.key.provider_config_key)
      .bind_text(4, run.key.connection_id)
      .bind_text(5, run.action_name)
      .bind_int(6, sqlite::to_millis(created))
      .bind_int(7, sqlite::to_millis(run.lease_until))
      .run();
}

Status SqliteStore::finish_async_action(std::string_view id, AsyncActionState state,
                                        std::string_view result) {
  if (auto checked = check_async_action_result(state, result); !checked) return checked;
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto read =
      db_.prepare("SELECT state FROM async_actions WHERE id = ?1", "read asynchronous action");
  if (!read) return std::move(read).error();
  read->bind_text(1, id);
  auto found = read->step();
  if (!found) return std::move(found).error();
  if (!*found) return async_action_not_found(id);
  if (read->column_bytes(0) != async_action_state_name(AsyncActionState::running)) {
    return async_action_not_running(id);
  }
  read->reset();
  auto write = db_.prepare(
      "UPDATE async_actions SET state = ?2, result = ?3, finished_at = ?4 WHERE id = ?1",
      "record asynchronous action result");
  if (!write) return std::move(write).error();
  auto written = write->bind_text(1, id)
                     .bind_text(2, async_action_state_name(state))
                     .bind_text(3, result)
                     .bind_int(4, sqlite::to_millis(clock_->now()))
                     .run();
  if (!written) return written;
  return tx->commit();
}

Result<AsyncActionRun> SqliteStore::find_async_action(std::string_view environment,
                                                      std::string_view id) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare("SELECT " + std::string(kAsyncActionColumns) +
                              " FROM async_actions WHERE id = ?1 AND environment = ?2",
                          "read asynchronous action");
  if (!stmt) return std::move(stmt).error();
  stmt->bind_text(1, id).bind_text(2, environment);
  auto found = stmt->step();
  if (!found) return std::move(found).error();
  if (!*found) return async_action_not_found(id);
  auto run = decode_run(*stmt);
  if (!run) return run;
  return as_seen_at(std::move(*run), clock_->now());
}

Result<std::size_t> SqliteStore::prune_async_actions(TimePoint before, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  const std::int64_t now = sqlite::to_millis(clock_->now());
  auto expire = db_.prepare(
      "UPDATE async_actions SET state = 'failed', result = ?1, finished_at = ?2 "
      "WHERE state = 'running' AND lease_until <= ?2",
      "expire asynchronous actions");
  if (!expire) return std::move(expire).error();
  if (auto expired = expire->bind_text(1, abandoned_async_action_result()).bind_int(2, now).run();
      !expired) {
    return std::move(expired).error();
  }
  auto prune = db_.prepare(
      "DELETE FROM async_actions WHERE id IN (SELECT id FROM async_actions "
      "WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)",
      "prune asynchronous actions");
  if (!prune) return std::move(prune).error();
  auto deleted = prune->bind_int(1, sqlite::to_millis(before))
                     .bind_int(2, static_cast<std::int64_t>(limit))
                     .run();
  if (!deleted) return std::move(deleted).error();
  const auto count = static_cast<std::size_t>(db_.changes());
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return count;
}

}  // namespace ferry::store
