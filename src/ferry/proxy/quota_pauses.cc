#include "ferry/proxy/quota_pauses.h"

#include <algorithm>

namespace ferry::proxy {

void QuotaPauses::pause(const QuotaKey& key, TimePoint now, std::chrono::milliseconds length) {
  const TimePoint until = now + length;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = until_.try_emplace(key, until);
  if (!inserted) it->second = std::max(it->second, until);
  if (until_.size() > sweep_above_) {
    std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    sweep_above_ = std::max(kMinSweepAbove, 2 * until_.size());
  }
}

std::chrono::milliseconds QuotaPauses::remaining(const QuotaKey& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = until_.find(key);
  if (it == until_.end()) return std::chrono::milliseconds(0);
  if (it->second <= now) {
    until_.erase(it);
    return std::chrono::milliseconds(0);
  }
  // Rounded up: waiting a fraction of a millisecond short would arrive before the reset.
  return std::chrono::ceil<std::chrono::milliseconds>(it->second - now);
}

std::size_t QuotaPauses::size() const {
  std::lock_guard lock(mutex_);
  return until_.size();
}

}  // namespace ferry::proxy
