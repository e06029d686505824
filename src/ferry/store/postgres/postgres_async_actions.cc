// PostgresStore: asynchronous action runs (store/async_actions.h). Instances share them: a
// run started by one is read by any, and each instance's maintenance may expire or prune
// any row (the statements are idempotent).
#include <string>

#include "ferry/store/async_actions.h"
#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/row_codec.h"

namespace ferry::store {
namespace {

Result<AsyncActionRun> decode_run(const pg::Rows& rows, int row) {
  AsyncActionRun run;
  run.id = rows.bytes(row, 0);
  run.environment = rows.bytes(row, 1);
  run.key = {rows.bytes(row, 2), rows.bytes(row, 3)};
  run.action_name = rows.bytes(row, 4);
  auto state = async_action_state_from_name(rows.bytes(row, 5));
  if (!state) {
    return Error{Errc::storage_corrupt, "asynchronous action " + run.id + " has an unknown state"};
  }
  run.state = *state;
  run.result = rows.bytes(row, 6);
  run.created_at = from_millis(rows.integer(row, 7));
  run.lease_until = from_millis(rows.integer(row, 8));
  if (!rows.is_null(row, 9)) run.finished_at = from_millis(rows.integer(row, 9));
  return run;
}

}  // namespace

Status PostgresStore::start_async_action(const AsyncActionRun& run) {
  if (auto checked = check_new_async_action(run); !checked) return checked;
  const TimePoint created = run.created_at == TimePoint{} ? clock_->now() : run.created_at;
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  return (*db)->run(
      "INSERT INTO async_actions (id, environment, provider_config_key, connection_id, "
      "action_name, state, result, created_at, lease_until) "
      "VALUES ($1, $2, $3, $4, $5, 'running', '', $6::bigint, $7::bigint)",
      {pg::text(run.id), pg::text(run.environment), pg::text(run.key.provider_config_key),
       pg::text(run.key.connection_id), pg::text(run.action_name), pg::integer(to_millis(created)),
       pg::integer(to_millis(run.lease_until))},
      "write asynchronous action");
}

Status PostgresStore::finish_async_action(std::string_view id, AsyncActionState state,
                                          std::string_view result) {
  if (auto checked = check_async_action_result(state, result); !checked) return checked;
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  // One statement: the row is updated only while running; the second part tells an
  // unknown id from a finished one.
  auto rows = (*db)->exec(
      "WITH done AS (UPDATE async_actions SET state = $2, result = $3, finished_at = $4::bigint "
      "WHERE id = $1 AND state = 'running' RETURNING id) "
      "SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM async_actions WHERE id = $1)",
      {pg::text(id), pg::text(async_action_state_name(state)), pg::text(result),
       pg::integer(to_millis(clock_->now()))},
      "record asynchronous action result");
  if (!rows) return std::move(rows).error();
  if (rows->integer(0, 0) == 1) return ok();
  if (rows->integer(0, 1) == 0) return async_action_not_found(id);
  return async_action_not_running(id);
}

Result<AsyncActionRun> PostgresStore::find_async_action(std::string_view environment,
                                                        std::string_view id) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto rows = (*db)->exec("SELECT " + std::string(kAsyncActionColumns) +
                              " FROM async_actions WHERE id = $1 AND environment = $2",
                          {pg::text(id), pg::text(environment)}, "read asynchronous action");
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return async_action_not_found(id);
  auto run = decode_run(*rows, 0);
  if (!run) return run;
  return as_seen_at(std::move(*run), clock_->now());
}

Result<std::size_t> PostgresStore::prune_async_actions(TimePoint before, std::size_t limit) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  const std::int64_t now = to_millis(clock_->now());
  auto expired = (*db)->run(
      "UPDATE async_actions SET state = 'failed', result = $1, finished_at = $2::bigint "
      "WHERE state = 'running' AND lease_until <= $2::bigint",
      {pg::text(abandoned_async_action_result()), pg::integer(now)}, "expire asynchronous actions");
  if (!expired) return std::move(expired).error();
  auto deleted = (*db)->exec(
      "DELETE FROM async_actions WHERE id IN (SELECT id FROM async_actions "
      "WHERE created_at < $1::bigint ORDER BY created_at LIMIT $2::bigint)",
      {pg::integer(to_millis(before)), pg::integer(static_cast<std::int64_t>(limit))},
      "prune asynchronous actions");
  if (!deleted) return std::move(deleted).error();
  const auto count = static_cast<std::size_t>(deleted->affected());
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return count;
}

}  // namespace ferry::store
