#include "ferry/store/activity_writer.h"

#include <vector>

#include "ferry/observe/log.h"
#include "ferry/store/store.h"

namespace ferry::store {

ActivityWriter::ActivityWriter(std::shared_ptr<Store> store, ActivityWriterOptions options)
    : store_(std::move(store)), options_(options) {
  thread_ = std::thread([this] { run(); });
}

ActivityWriter::~ActivityWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ActivityWriter::record(ActivityEntry entry) {
  if (entry.timestamp == TimePoint{}) entry.timestamp = std::chrono::system_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.queue_capacity) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(entry));
    ++enqueued_;
  }
  wake_.notify_one();
}

void ActivityWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = enqueued_;
  wake_.notify_one();
  drained_.wait(lock, [&] { return completed_ >= target; });
}

void ActivityWriter::run() {
  auto next_prune = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= options_.batch_size; });
    if (queue_.empty() && stopping_) return;
    std::vector<ActivityEntry> batch;
    while (!queue_.empty() && batch.size() < options_.batch_size) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    if (!batch.empty()) {
      if (auto written = store_->append_activity(batch); written) {
        written_ += batch.size();
      } else {
        // Losing log lines must not take the server down; say so once per batch.
        observe::warn("activity log: {} entries not written: {}", batch.size(),
                      written.error().message);
        dropped_ += batch.size();
      }
    }
    if (std::chrono::steady_clock::now() >= next_prune) {
      if (auto pruned = store_->prune_activity(options_.retention_rows, options_.retention_age);
          !pruned) {
        observe::warn("activity log: pruning failed: {}", pruned.error().message);
      }
      next_prune = std::chrono::steady_clock::now() + options_.prune_interval;
    }
    lock.lock();
    completed_ += batch.size();
    drained_.notify_all();
  }
}

}  // namespace ferry::store
