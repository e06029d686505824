#pragma once

// Heavy (Asio's thread pool and co_spawn): include only where blocking work is handed off.
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <optional>
#include <type_traits>

namespace ferry {

// A few threads for work that blocks (database reads and writes, the disk), so the I/O
// threads never wait on it: the I/O thread hands the work over, goes on serving, and the
// awaiting coroutine resumes on its own I/O thread with the result. Owned by the app;
// destroyed after the I/O threads have stopped. Thread-safe.
class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  // Runs what is queued, then joins the threads.
  ~BlockingPool() { pool_.join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn() on a pool thread; the awaiting coroutine resumes on its own executor with
  // fn's result. An exception thrown by fn is rethrown in the awaiting coroutine. fn and
  // what it captures must stay valid until it has run: the caller is suspended meanwhile,
  // so references to the caller's locals are fine.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F fn) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      co_await boost::asio::co_spawn(
          pool_.get_executor(), [&fn]() -> boost::asio::awaitable<void> {
            fn();
            co_return;
          },
          boost::asio::use_awaitable);
    } else {
      // co_spawn hands its result over default-constructed on failure; Result<T> is not.
      std::optional<R> result = co_await boost::asio::co_spawn(
          pool_.get_executor(), [&fn]() -> boost::asio::awaitable<std::optional<R>> {
            co_return std::optional<R>(fn());
          },
          boost::asio::use_awaitable);
      co_return std::move(*result);
    }
  }

  boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace ferry
