#include "ferry/store/postgres/notification_listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

#include "ferry/observe/log.h"

namespace ferry::store::pg {
namespace {

// Waits for input on `fd` or on `wake_fd`, up to `timeout` (-1: no limit). Which one
// became readable; both false on timeout.
struct Ready {
  bool input = false;
  bool woken = false;
};

Ready wait_for(int fd, int wake_fd, int timeout_ms) {
  pollfd fds[2] = {{wake_fd, POLLIN, 0}, {fd, POLLIN, 0}};
  const nfds_t count = fd < 0 ? 1 : 2;
  int ready;
  do {
    ready = ::poll(fds, count, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  Ready out;
  if (ready <= 0) return out;
  out.woken = (fds[0].revents & POLLIN) != 0;
  out.input = count == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  return out;
}

}  // namespace

NotificationListener::NotificationListener(std::shared_ptr<const Target> target,
                                           ListenerOptions options,
                                           std::vector<std::string> channels,
                                           Listening listening, Received received)
    : target_(std::move(target)),
      options_(std::move(options)),
      channels_(std::move(channels)),
      listening_(std::move(listening)),
      received_(std::move(received)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
  thread_ = std::thread([this] { run(); });
}

NotificationListener::~NotificationListener() {
  stopping_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void NotificationListener::run() {
  std::chrono::milliseconds retry = options_.first_retry;
  while (!stopping_) {
    if (listen_once()) retry = options_.first_retry;  // it listened, then lost the session
    if (pause(retry)) return;
    retry = std::min(retry * 2, options_.last_retry);
  }
}

bool NotificationListener::listen_once() {
  auto db = DbConnection::connect(target_, options_.connect);
  if (!db) {
    if (!down_logged_) {
      observe::warn("change announcements from other instances paused: {}",
                    db.error().message);
      down_logged_ = true;
    }
    return false;
  }
  for (const std::string& channel : channels_) {
    if (auto listened = db->run("LISTEN " + channel, {}, "listen on " + channel); !listened) {
      if (!down_logged_) {
        observe::warn("change announcements from other instances paused: {}",
                      listened.error().message);
        down_logged_ = true;
      }
      return false;
    }
  }
  if (down_logged_) {
    observe::info("change announcements from other instances resumed");
    down_logged_ = false;
  }
  ++sessions_;
  listening_();
  while (!stopping_) {
    const Ready ready = wait_for(db->socket(), wake_fd_, -1);
    if (ready.woken) return true;
    if (!ready.input) continue;
    const bool alive = db->consume_input();
    // Notifications read before the session was lost are delivered all the same.
    while (auto notification = db->next_notification()) {
      if (stopping_) return true;
      received_(*notification);
    }
    // Parsing may have met the server's goodbye; a second read notices it now rather than
    // at the next input.
    if (!alive || !db->consume_input()) {
      observe::warn("lost the session listening for other instances' changes; reconnecting");
      down_logged_ = true;
      return true;
    }
  }
  return true;
}

bool NotificationListener::pause(std::chrono::milliseconds wait) {
  if (stopping_) return true;
  (void)wait_for(-1, wake_fd_, static_cast<int>(wait.count()));
  return stopping_.load();
}

}  // namespace ferry::store::pg
