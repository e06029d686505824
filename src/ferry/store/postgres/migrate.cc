#include "ferry/store/postgres/migrate.h"

#include <string>

#include "ferry/observe/log.h"
#include "ferry/store/postgres/advisory_keys.h"

namespace ferry::store::pg {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)";

Result<int> read_version(DbConnection& db) {
  auto rows = db.exec("SELECT version FROM schema_version", {}, "read schema version");
  if (!rows) return std::move(rows).error();
  return rows->empty() ? 0 : static_cast<int>(rows->integer(0, 0));
}

Status check_encoding(DbConnection& db) {
  auto rows = db.exec("SELECT current_setting('server_encoding')", {}, "read database encoding");
  if (!rows) return std::move(rows).error();
  const std::string encoding = rows->empty() ? "" : rows->bytes(0, 0);
  if (encoding == "UTF8" || encoding == "SQL_ASCII") return ok();
  return Error{Errc::invalid_argument,
               "database " + db.target().label + " uses the " + encoding +
                   " encoding; Ferry stores UTF-8 text and needs a UTF8 database "
                   "(CREATE DATABASE ... ENCODING 'UTF8')"};
}

// Applies the step after the current version, if any. Sets `done` when none was pending.
Status apply_next(DbConnection& db, std::span<const Migration> steps, bool& done) {
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  if (auto created = db.run(kCreateVersionTable, {}, "create schema_version"); !created) {
    return created;
  }
  auto version = read_version(db);
  if (!version) return std::move(version).error();
  auto next = next_migration(*version, steps);
  if (!next) return std::move(next).error();
  done = *next == nullptr;
  if (done) return tx->commit();
  const Migration& step = **next;
  if (auto applied = db.run_script(step.sql, "migration " + std::to_string(step.version));
      !applied) {
    return applied;
  }
  if (auto cleared = db.run("DELETE FROM schema_version", {}, "write schema version"); !cleared) {
    return cleared;
  }
  if (auto bumped = db.run("INSERT INTO schema_version (version) VALUES ($1)",
                           {integer(step.version)}, "write schema version");
      !bumped) {
    return bumped;
  }
  if (auto committed = tx->commit(); !committed) return committed;
  observe::info("database {}: applied schema migration {} ({})", db.target().label,
                step.version, step.description);
  return ok();
}

}  // namespace

Status migrate(DbConnection& db, std::span<const Migration> steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // Steps are numbered 1..N in order; anything else is a mistake in the list.
    if (steps[i].version != static_cast<int>(i) + 1) {
      return Error{Errc::internal, "schema migrations are not numbered 1..N"};
    }
  }
  if (auto encoding = check_encoding(db); !encoding) return encoding;
  if (auto locked = db.run("SELECT pg_advisory_lock($1::bigint)", {integer(kMigrationLockKey)},
                           "wait for the schema migration lock");
      !locked) {
    return locked;
  }
  Status result = ok();
  for (bool done = false; result && !done;) result = apply_next(db, steps, done);
  // Also released if the session ends first; a failed unlock means that it did.
  (void)db.run("SELECT pg_advisory_unlock($1::bigint)", {integer(kMigrationLockKey)},
               "release the schema migration lock");
  return result;
}

Result<int> schema_version(DbConnection& db) {
  auto exists =
      db.exec("SELECT to_regclass('schema_version') IS NOT NULL", {}, "read schema version");
  if (!exists) return std::move(exists).error();
  if (exists->empty() || !exists->boolean(0, 0)) return 0;
  return read_version(db);
}

}  // namespace ferry::store::pg
