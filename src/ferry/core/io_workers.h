#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <optional>
#include <vector>

namespace boost::asio {
class execution_context;
}

namespace ferry {

// The I/O threads of the process, each running its own io_context (thread-per-core,
// STYLE.md §2.8): a request never changes thread. Components that keep per-thread state
// (upstream connection pools, connection caches, quota tables) hold one slot per worker and
// find theirs with index_of(the running coroutine's executor), with no lock and no
// thread_local. Fixed when built and immutable after; any thread may read it.
class IoWorkers {
 public:
  IoWorkers() = default;
  explicit IoWorkers(std::vector<boost::asio::any_io_executor> executors);

  std::size_t size() const { return executors_.size(); }
  const boost::asio::any_io_executor& executor(std::size_t index) const {
    return executors_[index];
  }

  // The worker whose io_context `executor` runs on; nullopt for any other executor (a
  // test's own io_context, the blocking pool).
  std::optional<std::size_t> index_of(const boost::asio::any_io_executor& executor) const;

 private:
  std::vector<boost::asio::any_io_executor> executors_;
  std::vector<const boost::asio::execution_context*> contexts_;
};

}  // namespace ferry
