#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// One mutex per ConnectionKey, created on demand and dropped when its last user leaves,
// so the table holds only keys in use. In-process only: the SQLite store's refresh lock.
// Thread-safe.
class KeyedLocks {
 public:
  // Runs `fn` while holding `key`'s mutex and returns its result. Not re-entrant: `fn`
  // must not ask for the same key again.
  Status with_lock(const ConnectionKey& key, const std::function<Status()>& fn);

  // Keys currently held or waited for (tests check that the table empties).
  std::size_t size() const;

 private:
  struct Entry {
    std::mutex mutex;
    int users = 0;  // guarded by KeyedLocks::mu_
  };

  mutable std::mutex mu_;
  std::map<ConnectionKey, std::unique_ptr<Entry>> entries_;  // guarded by mu_
};

}  // namespace ferry::store
