#include "ferry/http/client/connection_pool.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>

#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

using Clock = std::chrono::steady_clock;

namespace {

// Nothing to read and no EOF: the server has neither closed the connection nor written to it.
bool looks_alive(UpstreamConnection& connection) {
  char byte;
  const int fd = connection.tcp().socket().native_handle();
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

ConnectionPool::ConnectionPool(PoolOptions options) : options_(options) {}
ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<UpstreamConnection> ConnectionPool::take(const Origin& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& queue = it->second;
  const auto now = Clock::now();
  while (!queue.empty()) {
    // Newest first: it is the least likely to have been closed by the server.
    auto connection = std::move(queue.back());
    queue.pop_back();
    const auto idle = now - connection->idle_since;
    if (idle >= options_.idle_ttl) continue;
    if (idle >= options_.check_after && !looks_alive(*connection)) {
      evictions_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    reuses_.fetch_add(1, std::memory_order_relaxed);
    return connection;
  }
  return nullptr;
}

void ConnectionPool::put(std::unique_ptr<UpstreamConnection> connection) {
  if (!connection) return;
  auto& queue = idle_[connection->origin()];
  if (queue.size() >= options_.max_idle_per_origin) return;
  connection->idle_since = Clock::now();
  connection->tcp().expires_never();
  queue.push_back(std::move(connection));
}

void ConnectionPool::clear() { idle_.clear(); }

std::size_t ConnectionPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [origin, queue] : idle_) count += queue.size();
  return count;
}

}  // namespace ferry::http
