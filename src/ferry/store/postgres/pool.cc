#include "ferry/store/postgres/pool.h"

#include <utility>

namespace ferry::store::pg {

Pool::Pool(std::shared_ptr<const Target> target, PoolOptions options, std::string name)
    : target_(std::move(target)), options_(options), name_(std::move(name)) {}

Pool::Lease::~Lease() {
  if (db_) pool_->give_back(db_);
}

Result<Pool::Lease> Pool::acquire() {
  auto lease = take(std::chrono::steady_clock::now() + options_.acquire_timeout);
  if (!lease) return std::move(lease).error();
  if (!*lease) {
    return Error{Errc::unavailable,
                 "all " + std::to_string(options_.size) + " connections of the " + name_ +
                     " to database " + target_->label + " stayed busy for " +
                     std::to_string(options_.acquire_timeout.count()) + " ms"};
  }
  return std::move(**lease);
}

Result<std::optional<Pool::Lease>> Pool::try_acquire() {
  return take(std::chrono::steady_clock::now());
}

Result<std::optional<Pool::Lease>> Pool::take(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    std::optional<DbConnection> reused;
    {
      std::unique_lock lock(mu_);
      const bool free = returned_.wait_until(lock, deadline, [&] {
        return !idle_.empty() || lent_ + idle_.size() < options_.size;
      });
      if (!free) return std::optional<Lease>();
      ++lent_;
      if (!idle_.empty()) {
        reused.emplace(std::move(idle_.back()));
        idle_.pop_back();
      }
    }
    if (reused) {
      // Checked outside the mutex: it reads from the socket.
      if (reused->is_usable()) return std::optional<Lease>(Lease(this, std::move(*reused)));
      reused.reset();  // a connection the server ended while it sat idle
      release_slot();
      continue;
    }
    auto opened = DbConnection::connect(target_, options_.connect);
    if (!opened) {
      release_slot();
      return std::move(opened).error();
    }
    return std::optional<Lease>(Lease(this, std::move(*opened)));
  }
}

void Pool::give_back(std::optional<DbConnection>& db) {
  if (db->is_usable()) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(*db));
    --lent_;
  } else {
    db.reset();  // closed outside the mutex
    std::lock_guard lock(mu_);
    --lent_;
  }
  db.reset();
  returned_.notify_one();
}

void Pool::release_slot() {
  {
    std::lock_guard lock(mu_);
    --lent_;
  }
  returned_.notify_one();
}

std::size_t Pool::open_connections() const {
  std::lock_guard lock(mu_);
  return lent_ + idle_.size();
}

}  // namespace ferry::store::pg
