#pragma once

#include <span>

#include "ferry/core/result.h"
#include "ferry/store/migrations/migration.h"
#include "ferry/store/sqlite/statement.h"

namespace ferry::store::sqlite {

// Brings `db` to the last version in `steps`. The current version lives in a one-row
// `schema_version` table (absent = 0, an empty database). Each pending step runs in its
// own BEGIN IMMEDIATE transaction together with the version bump, and the version is
// re-read inside that transaction, so processes opening the same file at once apply
// each step exactly once and a crash leaves the previous or the next version.
// Errc::storage_corrupt "database schema version N is newer than this Ferry (knows M)"
// when the database is ahead of `steps`; other SQLite failures as sqlite_error().
Status migrate(Database& db, std::span<const Migration> steps);

// The database's schema version (0 for an empty database).
Result<int> schema_version(Database& db);

}  // namespace ferry::store::sqlite
