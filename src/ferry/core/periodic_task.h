#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace ferry {

// Runs `work` every `interval` (steady time, measured from the end of the previous run) on a
// strand of `executor`, until stop(): the app's background chores, such as sampling the
// metric history. Owned by the app; stop() or the destructor ends it. start() and stop() may
// be called from any thread; `work` never runs after stop() has returned on the strand's
// side (a run already started finishes).
class PeriodicTask {
 public:
  PeriodicTask(boost::asio::any_io_executor executor, std::chrono::milliseconds interval,
               std::function<void()> work);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Schedules the first run one interval from now. Calling it twice has no effect.
  void start();
  // Cancels the pending run; no run starts afterwards.
  void stop();

 private:
  struct State;
  static void schedule(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace ferry
