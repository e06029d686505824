#pragma once

#include <memory>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/store.h"

namespace ferry::store {

// Opens the store named by `database_url` and runs its pending schema migrations.
//   "sqlite:///abs/path.db"  absolute path
//   "sqlite://relative.db"   relative to the process's working directory (callers resolve
//                            database_url against the integrations folder first)
//   "sqlite://:memory:"      a private in-memory database (tests)
//   "postgresql://..."       not built yet: Errc::invalid_argument
// `encryption_key_base64` (empty = none) is the ferry.yaml encryption_key: with it,
// credentials are sealed with AES-256-GCM at rest. `clock` (null = system clock) decides
// timestamps and expiry.
// Errors: Errc::invalid_argument for a malformed URL or key; Errc::storage_corrupt for a
// file that is not a database, is read-only, has a newer schema than this build knows,
// or was written with another encryption key (or with one, when none is given now).
// Messages name the database path but never the key or a URL password.
Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          std::string_view encryption_key_base64,
                                          std::shared_ptr<const Clock> clock = nullptr);

}  // namespace ferry::store
