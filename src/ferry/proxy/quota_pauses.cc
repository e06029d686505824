#include "ferry/proxy/quota_pauses.h"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace ferry::proxy {

void QuotaPauses::pause(const QuotaKey& key, TimePoint now, std::chrono::milliseconds length) {
  const TimePoint until = now + length;
  auto [it, inserted] = until_.try_emplace(key, until);
  if (!inserted) it->second = std::max(it->second, until);
  if (until_.size() > sweep_above_) {
    std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    sweep_above_ = std::max(kMinSweepAbove, 2 * until_.size());
  }
}

std::chrono::milliseconds QuotaPauses::remaining(const QuotaKey& key, TimePoint now) {
  if (until_.empty()) return std::chrono::milliseconds(0);
  auto it = until_.find(key);
  if (it == until_.end()) return std::chrono::milliseconds(0);
  if (it->second <= now) {
    until_.erase(it);
    return std::chrono::milliseconds(0);
  }
  // Rounded up: waiting a fraction of a millisecond short would arrive before the reset.
  return std::chrono::ceil<std::chrono::milliseconds>(it->second - now);
}

QuotaBoard::QuotaBoard(IoWorkers workers) : workers_(std::move(workers)) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    tables_.push_back(std::make_unique<QuotaPauses>());
  }
}

std::chrono::milliseconds QuotaBoard::remaining(const boost::asio::any_io_executor& executor,
                                                const QuotaKey& key,
                                                QuotaPauses::TimePoint now) {
  if (auto index = workers_.index_of(executor)) return tables_[*index]->remaining(key, now);
  std::lock_guard lock(others_mutex_);
  return others_.remaining(key, now);
}

void QuotaBoard::pause(const boost::asio::any_io_executor& executor, const QuotaKey& key,
                       QuotaPauses::TimePoint now, std::chrono::milliseconds length) {
  const auto here = workers_.index_of(executor);
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    QuotaPauses* table = tables_[i].get();
    if (here && *here == i) {
      table->pause(key, now, length);
    } else {
      boost::asio::post(workers_.executor(i),
                        [table, key, now, length] { table->pause(key, now, length); });
    }
  }
  std::lock_guard lock(others_mutex_);
  others_.pause(key, now, length);
}
}  // namespace ferry::proxy
