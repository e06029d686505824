#include "ferry/actions/action_watcher.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "ferry/actions/action_registry.h"

namespace ferry::actions {

// Shared with the pending timer callback, so a callback running after stop() still finds
// it. The timer is only touched on `strand`.
struct ActionWatcher::State {
  State(boost::asio::any_io_executor executor, std::shared_ptr<ActionRegistry> r,
        std::chrono::milliseconds i)
      : strand(boost::asio::make_strand(std::move(executor))),
        timer(strand),
        registry(std::move(r)),
        interval(i) {}

  boost::asio::strand<boost::asio::any_io_executor> strand;
  boost::asio::steady_timer timer;
  std::shared_ptr<ActionRegistry> registry;
  std::chrono::milliseconds interval;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
};

void ActionWatcher::schedule(const std::shared_ptr<State>& state) {
  state->timer.expires_after(state->interval);
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec || state->stopped) return;
    // reload() logs what changed and what failed; the report is for tests.
    (void)state->registry->reload();
    schedule(state);
  });
}

ActionWatcher::ActionWatcher(boost::asio::any_io_executor executor,
                             std::shared_ptr<ActionRegistry> registry,
                             std::chrono::milliseconds interval)
    : state_(std::make_shared<State>(std::move(executor), std::move(registry), interval)) {}

ActionWatcher::~ActionWatcher() { stop(); }

void ActionWatcher::start() {
  if (state_->stopped || state_->started.exchange(true)) return;
  boost::asio::post(state_->strand, [state = state_] {
    if (!state->stopped) schedule(state);
  });
}

void ActionWatcher::stop() {
  if (state_->stopped.exchange(true)) return;
  boost::asio::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

}  // namespace ferry::actions
