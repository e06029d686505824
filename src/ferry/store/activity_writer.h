#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "ferry/store/types.h"

namespace ferry::store {

class Store;

struct ActivityWriterOptions {
  std::size_t queue_capacity = 10'000;            // entries waiting; more are dropped
  std::size_t batch_size = 500;                   // written in one transaction
  std::chrono::milliseconds flush_interval{200};  // a partial batch waits at most this long
  std::size_t retention_rows = 1'000'000;             // the activity log keeps this many entries...
  std::chrono::seconds retention_age{15 * 24 * 3600};  // ...none older than this
  std::chrono::seconds prune_interval{60};             // how often pruning starts
  std::size_t prune_batch = 1'000;                     // entries deleted per round
  // Entries dropped at a full queue are reported in the log at most this often.
  std::chrono::milliseconds overflow_report_interval{10'000};
};

// Keeps activity-log writes off the request path. record() only queues (bounded; when the
// queue is full the entry is dropped and counted, the caller never waits; the writer says so
// in the server log, at most every overflow_report_interval); one background
// thread writes queued entries in batches and prunes by count and age: every prune_interval
// it deletes up to prune_batch entries per round, one round per look at the queue, until a
// round finds fewer, so a large backlog never holds the database for long.
//
// The queue is lock-free (Boost.Lockfree), and record() wakes the writer only when a batch
// is full: a proxied call neither takes a lock nor makes a syscall to be logged. A partial
// batch waits for the writer's next look, at most flush_interval later. The queue's depth
// and the drops are also in /metrics (ferry_activity_queue_depth,
// ferry_activity_entries_dropped_total).
// Thread-safe. The destructor writes what is queued, then stops the thread.
class ActivityWriter {
 public:
  ActivityWriter(std::shared_ptr<Store> store, ActivityWriterOptions options = {});
  ~ActivityWriter();
  ActivityWriter(const ActivityWriter&) = delete;
  ActivityWriter& operator=(const ActivityWriter&) = delete;

  // Queues `entry`; its connection id, URL, message and details are redacted before they
  // are written (observe/redact.h). Never blocks on the database.
  void record(ActivityEntry entry);
  // Blocks until every entry queued before the call is written (tests, shutdown).
  void flush();

  // Entries not written: dropped at a full queue, or in a batch the store refused.
  std::uint64_t dropped() const { return dropped_.load(); }
  // Of those, the ones dropped at a full queue.
  std::uint64_t overflowed() const { return overflowed_.load(); }
  std::uint64_t written() const { return written_.load(); }
  std::uint64_t pruned() const { return pruned_.load(); }

 private:
  void run();
  // On the writer thread: logs the entries dropped at a full queue since the last report,
  // unless one was made less than overflow_report_interval ago.
  void report_overflow();

  struct Queue;  // the lock-free queue of entries; activity_writer.cc

  std::shared_ptr<Store> store_;
  const ActivityWriterOptions options_;
  std::unique_ptr<Queue> queue_;
  std::atomic<std::size_t> queued_{0};       // entries in the queue (bounds it)
  std::atomic<std::uint64_t> enqueued_{0};   // entries ever queued
  std::atomic<std::uint64_t> completed_{0};  // entries taken and handled (written or dropped)
  std::atomic<bool> stopping_{false};
  std::atomic<bool> flush_wanted_{false};
  // Only for sleeping and waking: never taken by record() unless it must wake the writer.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> overflowed_{0};
  std::uint64_t overflow_reported_ = 0;  // the writer thread's own
  std::optional<std::chrono::steady_clock::time_point> overflow_reported_at_;  // ditto
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> pruned_{0};
  std::thread thread_;
};

}  // namespace ferry::store
