#pragma once

#include <cstdint>
#include <string_view>

#include "ferry/store/types.h"

namespace ferry::store::pg {

// The keys of the PostgreSQL advisory locks Ferry takes. PostgreSQL keeps locks taken
// with one bigint key apart from locks taken with two integer keys, so the refresh locks
// (two integers) never meet the migration and admission locks (one bigint). Every
// instance, whatever its build, derives the same keys from the same input: they come from
// SHA-256, never from std::hash. A collision between two inputs (2^-64 per pair) only
// makes their holders wait for each other; correctness never depends on keys differing.
// Pure functions.

struct AdvisoryKey {
  std::int32_t first;
  std::int32_t second;
};

// The refresh lock of one connection: the first 8 bytes of SHA-256 over the length of
// provider_config_key, a colon, provider_config_key and connection_id, as two integers.
AdvisoryKey refresh_lock_key(const ConnectionKey& key);

// Serializes save_oauth_state's per-client count-then-insert for one client address.
std::int64_t admission_lock_key(std::string_view client_address);

// Held while schema migrations run, so instances opening one database together migrate
// it once. The bytes of "ferrymig".
inline constexpr std::int64_t kMigrationLockKey = 0x66657272'796d6967;

}  // namespace ferry::store::pg
