#include "ferry/store/connection_cache.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <functional>

#include "ferry/core/blocking_pool.h"
#include "ferry/store/connection_snapshot.h"
#include "ferry/store/store.h"

namespace ferry::store {

namespace net = boost::asio;
using Snapshot = std::shared_ptr<const Connection>;

std::size_t ConnectionKeyHash::operator()(const ConnectionKey& key) const {
  const std::size_t a = std::hash<std::string>{}(key.provider_config_key);
  const std::size_t b = std::hash<std::string>{}(key.connection_id);
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

// One worker's map. Touched only on that worker's thread.
struct ConnectionCache::Slot {
  std::unordered_map<ConnectionKey, Snapshot, ConnectionKeyHash> rows;
  std::uint64_t generation = 0;  // bumped by every publish and invalidation

  void adopt(const Snapshot& row) {
    ++generation;
    auto it = rows.find(row->key());
    if (it == rows.end()) return;
    if (it->second->id == row->id && it->second->version < row->version) it->second = row;
  }
  void drop(const ConnectionKey& key) {
    ++generation;
    rows.erase(key);
  }
  void clear() {
    ++generation;
    rows.clear();
  }
};

ConnectionCache::ConnectionCache(std::shared_ptr<Store> inner, IoWorkers workers,
                                 BlockingPool& blocking)
    : inner_(std::move(inner)), workers_(std::move(workers)), blocking_(blocking) {
  for (std::size_t i = 0; i < workers_.size(); ++i) slots_.push_back(std::make_unique<Slot>());
}

ConnectionCache::~ConnectionCache() = default;

template <class F>
void ConnectionCache::on_every_worker(F f) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot* slot = slots_[i].get();
    net::post(workers_.executor(i), [slot, f] { f(*slot); });
  }
}

net::awaitable<Result<Snapshot>> ConnectionCache::find(const ConnectionKey& key) {
  const auto executor = co_await net::this_coro::executor;
  const auto index = workers_.index_of(executor);
  Slot* slot = index ? slots_[*index].get() : nullptr;
  std::uint64_t generation = 0;
  if (slot) {
    if (auto it = slot->rows.find(key); it != slot->rows.end()) co_return it->second;
    generation = slot->generation;
  }
  Store& store = *inner_;
  auto found = co_await blocking_.run([&store, &key] { return store.find_connection(key); });
  if (!found) co_return found.error();
  auto row = make_snapshot(std::move(*found));
  // Back on this worker's thread. A write since the read started may have replaced the row:
  // then this one serves only the request that asked.
  if (slot && slot->generation == generation) slot->rows.insert_or_assign(key, row);
  co_return row;
}

void ConnectionCache::publish(Snapshot row) {
  if (!row) return;
  on_every_worker([row = std::move(row)](Slot& slot) { slot.adopt(row); });
}

void ConnectionCache::invalidate(const ConnectionKey& key) {
  on_every_worker([key](Slot& slot) { slot.drop(key); });
}

void ConnectionCache::invalidate_all() {
  on_every_worker([](Slot& slot) { slot.clear(); });
}

std::size_t ConnectionCache::cached_count(const net::any_io_executor& executor) const {
  const auto index = workers_.index_of(executor);
  return index ? slots_[*index]->rows.size() : 0;
}

}  // namespace ferry::store
