#include "ferry/core/periodic_task.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace ferry {

// Shared with the pending timer callback, so a callback running after the task is gone
// still finds it. The timer is only touched on `strand`.
struct PeriodicTask::State {
  State(boost::asio::any_io_executor executor, std::chrono::milliseconds i, std::function<void()> w)
      : strand(boost::asio::make_strand(std::move(executor))),
        timer(strand),
        interval(i),
        work(std::move(w)) {}

  boost::asio::strand<boost::asio::any_io_executor> strand;
  boost::asio::steady_timer timer;
  std::chrono::milliseconds interval;
  std::function<void()> work;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
};

void PeriodicTask::schedule(const std::shared_ptr<State>& state) {
  state->timer.expires_after(state->interval);
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec || state->stopped) return;
    state->work();
    if (!state->stopped) schedule(state);
  });
}

PeriodicTask::PeriodicTask(boost::asio::any_io_executor executor,
                           std::chrono::milliseconds interval, std::function<void()> work)
    : state_(std::make_shared<State>(std::move(executor), interval, std::move(work))) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
  if (state_->stopped || state_->started.exchange(true)) return;
  boost::asio::post(state_->strand, [state = state_] {
    if (!state->stopped) schedule(state);
  });
}

void PeriodicTask::stop() {
  if (state_->stopped.exchange(true)) return;
  boost::asio::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

}  // namespace ferry
