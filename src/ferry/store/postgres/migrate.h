#pragma once

#include <span>

#include "ferry/core/result.h"
#include "ferry/store/migrations/migration.h"
#include "ferry/store/postgres/connection.h"

namespace ferry::store::pg {

// Brings the database behind `db` to the last version in `steps`. The current version
// lives in a one-row `schema_version` table (absent = 0, an empty database). The whole run
// holds a session-level advisory lock (kMigrationLockKey), so instances opening one
// database together apply each step exactly once: the others wait for the lock, then
// find nothing left to do. Each step runs in its own transaction together with the
// version bump, so a crash leaves the previous or the next version. Waits for another
// instance's migration without a time limit when `db` has no statement timeout.
// Errors: Errc::storage_corrupt "database schema version N is newer than this Ferry
// (knows M)"; Errc::invalid_argument when the database's encoding is neither UTF8 nor
// SQL_ASCII (Ferry stores UTF-8 text); DbConnection::exec's errors otherwise.
Status migrate(DbConnection& db, std::span<const Migration> steps);

// The database's schema version (0 for an empty database).
Result<int> schema_version(DbConnection& db);

}  // namespace ferry::store::pg
