#include "ferry/core/io_workers.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

namespace ferry {
namespace {

const boost::asio::execution_context* context_of(const boost::asio::any_io_executor& executor) {
  return &boost::asio::query(executor, boost::asio::execution::context);
}

}  // namespace

IoWorkers::IoWorkers(std::vector<boost::asio::any_io_executor> executors)
    : executors_(std::move(executors)) {
  for (const auto& executor : executors_) contexts_.push_back(context_of(executor));
}

std::optional<std::size_t> IoWorkers::index_of(const boost::asio::any_io_executor& executor) const {
  if (contexts_.empty() || !executor) return std::nullopt;
  const auto* context = context_of(executor);
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i] == context) return i;
  }
  return std::nullopt;
}

}  // namespace ferry
