#pragma once

#include <span>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::store {

// One step of a store's schema history. Steps are applied in order, each in its own
// transaction together with the bump of schema_version to `version`, so a database is
// always at exactly one known version. Published steps are never edited: a change to the
// schema is a new step at the end.
struct Migration {
  int version;                   // 1, 2, 3, ... without gaps
  std::string_view description;  // for the log line that reports it
  std::string_view sql;          // one or more statements
};

// The step to apply to a database at `version`, or nullptr when it is up to date.
// Errc::storage_corrupt "database schema version N is newer than this Ferry (knows M)" when
// the database is ahead of `steps`. Both backends' migrators ask this inside the
// transaction that then applies the step.
Result<const Migration*> next_migration(int version, std::span<const Migration> steps);

// SQLite's schema history, oldest first.
std::span<const Migration> sqlite_migrations();

// PostgreSQL's schema history, oldest first. Its own numbering: the two backends' schemas
// describe the same rows but evolve separately.
std::span<const Migration> postgres_migrations();

}  // namespace ferry::store
