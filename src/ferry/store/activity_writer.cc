#include "ferry/store/activity_writer.h"

#include <boost/lockfree/queue.hpp>
#include <vector>

#include "ferry/observe/ferry_metrics.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/store.h"

namespace ferry::store {
namespace {

// The sink's own guarantee, whatever the caller did: every text an entry shows is
// redacted before it is written. On the writer thread, off the request path.
void redact_entry(ActivityEntry& entry) {
  entry.connection_id = observe::redact(entry.connection_id);
  entry.url = observe::redact(entry.url);
  entry.message = observe::redact(entry.message);
  observe::redact_json(entry.details);
}

}  // namespace

// Entries travel as owned pointers: Boost.Lockfree moves only trivially copyable values.
struct ActivityWriter::Queue {
  boost::lockfree::queue<ActivityEntry*> entries{1024};

  ~Queue() {
    ActivityEntry* entry = nullptr;
    while (entries.pop(entry)) delete entry;
  }
};

ActivityWriter::ActivityWriter(std::shared_ptr<Store> store, ActivityWriterOptions options)
    : store_(std::move(store)), options_(options), queue_(std::make_unique<Queue>()) {
  thread_ = std::thread([this] { run(); });
}

ActivityWriter::~ActivityWriter() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  thread_.join();
}

void ActivityWriter::record(ActivityEntry entry) {
  if (entry.timestamp == TimePoint{}) entry.timestamp = std::chrono::system_clock::now();
  const std::size_t before = queued_.fetch_add(1, std::memory_order_relaxed);
  if (before >= options_.queue_capacity) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    dropped_.fetch_add(1, std::memory_order_relaxed);
    overflowed_.fetch_add(1, std::memory_order_relaxed);
    observe::activity_entries_dropped().add();
    return;
  }
  // Counted before the push, so the writer's decrement never runs ahead of it.
  observe::activity_queue_depth().add(1);
  queue_->entries.push(new ActivityEntry(std::move(entry)));
  enqueued_.fetch_add(1, std::memory_order_release);
  // A full batch is worth waking the writer for; a partial one waits for its next look.
  if (before + 1 == options_.batch_size) {
    std::lock_guard lock(wake_mutex_);
    wake_.notify_one();
  }
}

void ActivityWriter::flush() {
  const std::uint64_t target = enqueued_.load(std::memory_order_acquire);
  std::unique_lock lock(wake_mutex_);
  flush_wanted_.store(true);
  wake_.notify_one();
  drained_.wait(lock, [&] { return completed_.load() >= target; });
}

void ActivityWriter::run() {
  auto next_prune = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, options_.flush_interval, [&] {
        return stopping_.load() || flush_wanted_.load() ||
               queued_.load(std::memory_order_relaxed) >= options_.batch_size;
      });
      flush_wanted_.store(false);
    }
    std::vector<ActivityEntry> batch;
    ActivityEntry* entry = nullptr;
    while (batch.size() < options_.batch_size && queue_->entries.pop(entry)) {
      redact_entry(*entry);
      batch.push_back(std::move(*entry));
      delete entry;
    }
    queued_.fetch_sub(batch.size(), std::memory_order_relaxed);
    // Shared by every writer of the process (one in a server): each adds what it queued.
    observe::activity_queue_depth().add(-static_cast<std::int64_t>(batch.size()));
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
    report_overflow();
    bool more_to_prune = false;
    if (std::chrono::steady_clock::now() >= next_prune) {
      auto pruned = store_->prune_activity(options_.retention_rows, options_.retention_age,
                                           options_.prune_batch);
      if (!pruned) {
        observe::warn("activity log: pruning failed: {}", pruned.error().message);
      } else {
        pruned_ += *pruned;
        more_to_prune = *pruned >= options_.prune_batch;
      }
      // A full round: the next one comes at the next look, after the queue's turn.
      if (!more_to_prune) next_prune = std::chrono::steady_clock::now() + options_.prune_interval;
    }
    {
      std::lock_guard lock(wake_mutex_);
      completed_ += batch.size();
      // More than a batch was waiting, or pruning is not done: go on at once rather than
      // after flush_interval.
      if (batch.size() == options_.batch_size || more_to_prune) flush_wanted_.store(true);
    }
    drained_.notify_all();
    if (batch.empty() && stopping_.load() && queued_.load() == 0) return;
  }
}

void ActivityWriter::report_overflow() {
  const std::uint64_t overflowed = overflowed_.load(std::memory_order_relaxed);
  if (overflowed == overflow_reported_) return;
  const auto now = std::chrono::steady_clock::now();
  if (overflow_reported_at_ && now - *overflow_reported_at_ < options_.overflow_report_interval) {
    return;
  }
  observe::warn(
      "activity log: {} entries dropped: the queue of {} entries was full (the database did not "
      "keep up with the traffic; {} dropped since start)",
      overflowed - overflow_reported_, options_.queue_capacity, overflowed);
  overflow_reported_ = overflowed;
  overflow_reported_at_ = now;
}

}  // namespace ferry::store
