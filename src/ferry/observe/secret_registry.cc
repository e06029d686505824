#include "ferry/observe/secret_registry.h"

#include <array>
#include <bitset>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace ferry::observe {
namespace {

constexpr std::size_t kShortest = 4;
constexpr std::size_t kTail = 8;  // values at least this long are indexed by their tail

std::uint64_t word_at(const char* p) {
  std::uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  return word;
}

std::size_t filter_slot(std::uint64_t word) {
  return static_cast<std::size_t>((word * 0x9E3779B97F4A7C15ull) >> 48);
}

}  // namespace

struct SecretRegistry::Index {
  mutable std::shared_mutex mutex;
  // Every registered value with its count; the string_views below point into these keys
  // (node-based map: keys never move).
  std::unordered_map<std::string, std::size_t> counts;
  // Values of kTail bytes or more, by their last kTail bytes.
  std::unordered_multimap<std::uint64_t, std::string_view> by_tail;
  std::bitset<65536> tail_filter;  // may say yes wrongly, never no wrongly
  // Values of 4..7 bytes, by length.
  std::array<std::unordered_set<std::string_view>, kTail> short_values;
  std::size_t short_count = 0;

  void rebuild_filter() {
    tail_filter.reset();
    for (const auto& [tail, value] : by_tail) tail_filter.set(filter_slot(tail));
  }
};

SecretRegistry::SecretRegistry() : index_(std::make_unique<Index>()) {}
SecretRegistry::~SecretRegistry() = default;

SecretRegistry& SecretRegistry::global() {
  static SecretRegistry registry;
  return registry;
}

void SecretRegistry::add(std::string_view value) {
  if (value.size() < kShortest) return;
  std::unique_lock lock(index_->mutex);
  auto [it, inserted] = index_->counts.try_emplace(std::string(value), 0);
  ++it->second;
  if (!inserted) return;
  const std::string_view stored = it->first;
  if (stored.size() >= kTail) {
    const std::uint64_t tail = word_at(stored.data() + stored.size() - kTail);
    index_->by_tail.emplace(tail, stored);
    index_->tail_filter.set(filter_slot(tail));
  } else {
    index_->short_values[stored.size()].insert(stored);
    ++index_->short_count;
  }
}

void SecretRegistry::remove(std::string_view value) {
  if (value.size() < kShortest) return;
  std::unique_lock lock(index_->mutex);
  auto it = index_->counts.find(std::string(value));
  if (it == index_->counts.end()) return;
  if (--it->second > 0) return;
  const std::string_view stored = it->first;
  if (stored.size() >= kTail) {
    const std::uint64_t tail = word_at(stored.data() + stored.size() - kTail);
    auto [first, last] = index_->by_tail.equal_range(tail);
    bool tail_still_used = false;
    for (auto entry = first; entry != last;) {
      if (entry->second.data() == stored.data()) {
        entry = index_->by_tail.erase(entry);
      } else {
        tail_still_used = true;
        ++entry;
      }
    }
    // Filter bits may be shared between tails, so a removal leaves its bit set; the filter
    // is rebuilt once stale bits outnumber live ones, keeping removals amortised O(1).
    if (!tail_still_used && index_->tail_filter.count() > 2 * index_->by_tail.size() + 1024) {
      index_->rebuild_filter();
    }
  } else {
    index_->short_values[stored.size()].erase(stored);
    --index_->short_count;
  }
  index_->counts.erase(it);
}

void SecretRegistry::find(std::string_view text, std::vector<TextRange>& out) const {
  std::shared_lock lock(index_->mutex);
  if (index_->counts.empty()) return;
  const char* data = text.data();
  if (!index_->by_tail.empty() && text.size() >= kTail) {
    for (std::size_t end = kTail; end <= text.size(); ++end) {
      const std::uint64_t tail = word_at(data + end - kTail);
      if (!index_->tail_filter.test(filter_slot(tail))) continue;
      auto [first, last] = index_->by_tail.equal_range(tail);
      for (auto entry = first; entry != last; ++entry) {
        const std::string_view value = entry->second;
        if (value.size() <= end && std::memcmp(data + end - value.size(), value.data(),
                                               value.size()) == 0) {
          out.push_back(TextRange{end - value.size(), end});
        }
      }
    }
  }
  if (index_->short_count > 0) {
    for (std::size_t length = kShortest; length < kTail; ++length) {
      const auto& values = index_->short_values[length];
      if (values.empty()) continue;
      for (std::size_t begin = 0; begin + length <= text.size(); ++begin) {
        if (values.count(text.substr(begin, length)) > 0) {
          out.push_back(TextRange{begin, begin + length});
        }
      }
    }
  }
}

std::size_t SecretRegistry::size() const {
  std::shared_lock lock(index_->mutex);
  return index_->counts.size();
}

}  // namespace ferry::observe
