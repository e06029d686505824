#include "ferry/store/keyed_locks.h"

namespace ferry::store {

Status KeyedLocks::with_lock(const ConnectionKey& key, const std::function<Status()>& fn) {
  Entry* entry = nullptr;
  {
    std::lock_guard lock(mu_);
    auto& slot = entries_[key];
    if (!slot) slot = std::make_unique<Entry>();
    ++slot->users;
    entry = slot.get();  // stays valid while users > 0
  }
  // Releases the entry even if `fn` throws, and drops it when no one else uses it.
  struct Release {
    KeyedLocks* self;
    const ConnectionKey& key;
    Entry* entry;
    ~Release() {
      std::lock_guard lock(self->mu_);
      if (--entry->users == 0) self->entries_.erase(key);
    }
  } release{this, key, entry};
  std::lock_guard held(entry->mutex);
  return fn();
}

std::size_t KeyedLocks::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace ferry::store
