#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/store.h"

namespace ferry::store {

// Settings of open_store() beyond the URL and the key.
struct StoreOptions {
  // PostgreSQL: connections of the query pool (ferry.yaml database_pool_size); the refresh
  // locks get as many again (PostgresStore). Ignored by SQLite. Default: 4.
  std::size_t database_pool_size = 4;
};

// Opens the store named by `database_url` and runs its pending schema migrations.
//   "sqlite:///abs/path.db"  absolute path
//   "sqlite://relative.db"   relative to the process's working directory (callers resolve
//                            database_url against the integrations folder first)
//   "sqlite://:memory:"      a private in-memory database (tests)
//   "postgresql://..."       a PostgreSQL database, the URL passed to libpq as given
//   "postgres://..."         (user, password, hosts, port, database, sslmode=..., ...)
// `encryption_key_base64` (empty = none) is the ferry.yaml encryption_key: with it,
// credentials are sealed with AES-256-GCM at rest. `clock` (null = system clock) decides
// timestamps and expiry.
// Errors: Errc::invalid_argument for a malformed URL or key (and a PostgreSQL database
// whose encoding is not UTF8); Errc::storage_corrupt for a file that is not a database, is
// read-only, has a newer schema than this build knows, or was written with another
// encryption key (or with one, when none is given now); Errc::unavailable when the
// PostgreSQL server cannot be reached or refuses the connection.
// Messages name the database path (SQLite) or database, host and port (PostgreSQL), but
// never the key or a URL password.
Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          std::string_view encryption_key_base64,
                                          std::shared_ptr<const Clock> clock = nullptr,
                                          const StoreOptions& options = {});

}  // namespace ferry::store
