#include "ferry/store/sqlite/migrate.h"

#include <string>

#include "ferry/observe/log.h"

namespace ferry::store::sqlite {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

Result<int> read_version(Database& db) {
  auto stmt = db.prepare("SELECT version FROM schema_version", "read schema version");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  return *row ? static_cast<int>(stmt->column_int(0)) : 0;
}

Status write_version(Database& db, int version) {
  if (auto cleared = db.exec("DELETE FROM schema_version", "write schema version"); !cleared) {
    return cleared;
  }
  auto stmt = db.prepare("INSERT INTO schema_version (version) VALUES (?)", "write schema version");
  if (!stmt) return std::move(stmt).error();
  return stmt->bind_int(1, version).run();
}

// Applies the step after the current version, if any. Sets `done` when none was pending.
Status apply_next(Database& db, std::span<const Migration> steps, bool& done) {
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  if (auto created = db.exec(kCreateVersionTable, "create schema_version"); !created) {
    return created;
  }
  auto version = read_version(db);
  if (!version) return std::move(version).error();
  auto next = next_migration(*version, steps);
  if (!next) return std::move(next).error();
  done = *next == nullptr;
  if (done) return tx->commit();
  const Migration& step = **next;
  if (auto applied = db.exec(step.sql, "migration " + std::to_string(step.version)); !applied) {
    return applied;
  }
  if (auto bumped = write_version(db, step.version); !bumped) return bumped;
  if (auto committed = tx->commit(); !committed) return committed;
  observe::info("database {}: applied schema migration {} ({})", db.path(), step.version,
                step.description);
  return ok();
}

}  // namespace

Status migrate(Database& db, std::span<const Migration> steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // Steps are numbered 1..N in order; anything else is a mistake in the list.
    if (steps[i].version != static_cast<int>(i) + 1) {
      return Error{Errc::internal, "schema migrations are not numbered 1..N"};
    }
  }
  for (bool done = false; !done;) {
    if (auto step = apply_next(db, steps, done); !step) return step;
  }
  return ok();
}

Result<int> schema_version(Database& db) {
  auto exists =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                 "read schema version");
  if (!exists) return std::move(exists).error();
  auto row = exists->step();
  if (!row) return std::move(row).error();
  if (!*row) return 0;
  return read_version(db);
}

}  // namespace ferry::store::sqlite
