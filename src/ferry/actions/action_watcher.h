#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>

namespace ferry::actions {

class ActionRegistry;

// Picks up edited, added and deleted action files without a restart: calls
// ActionRegistry::reload() every `interval` on `executor` (each call reads the folder's
// action files, a few milliseconds for a typical folder). Owned by the app; stop() or the
// destructor ends the polling. start() and stop() may be called from any thread; the
// polling itself runs on a strand of `executor`.
class ActionWatcher {
 public:
  ActionWatcher(boost::asio::any_io_executor executor, std::shared_ptr<ActionRegistry> registry,
                std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~ActionWatcher();
  ActionWatcher(const ActionWatcher&) = delete;
  ActionWatcher& operator=(const ActionWatcher&) = delete;

  // Schedules the first reload one interval from now. Calling it twice has no effect.
  void start();
  // Cancels the pending reload; no reload starts afterwards.
  void stop();

 private:
  struct State;
  static void schedule(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace ferry::actions
