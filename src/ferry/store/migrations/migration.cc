#include "ferry/store/migrations/migration.h"

#include <string>

namespace ferry::store {

Result<const Migration*> next_migration(int version, std::span<const Migration> steps) {
  const int known = steps.empty() ? 0 : steps.back().version;
  if (version > known) {
    return Error{Errc::storage_corrupt, "database schema version " + std::to_string(version) +
                                            " is newer than this Ferry (knows " +
                                            std::to_string(known) + ")"};
  }
  if (version == known) return static_cast<const Migration*>(nullptr);
  return &steps[static_cast<std::size_t>(version)];
}

}  // namespace ferry::store
