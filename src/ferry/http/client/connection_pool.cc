#include "ferry/http/client/connection_pool.h"

#include <boost/asio/ip/tcp.hpp>

#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

using Clock = std::chrono::steady_clock;

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
    boost::system::error_code ignored;
    // Ends the idle watch: its handler runs later with operation_aborted.
    connection->tcp().socket().cancel(ignored);
    if (now - connection->idle_since < options_.idle_ttl) {
      reuses_.fetch_add(1, std::memory_order_relaxed);
      return connection;
    }
  }
  return nullptr;
}

void ConnectionPool::put(std::unique_ptr<UpstreamConnection> connection) {
  if (!connection) return;
  auto& queue = idle_[connection->origin()];
  if (queue.size() >= options_.max_idle_per_origin) return;
  connection->idle_since = Clock::now();
  connection->idle_ticket = ++next_ticket_;
  connection->tcp().expires_never();
  watch(*connection);
  queue.push_back(std::move(connection));
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [origin, queue] : idle_) count += queue.size();
  return count;
}

void ConnectionPool::watch(UpstreamConnection& connection) {
  using boost::asio::ip::tcp;
  const UpstreamConnection* watched = &connection;
  const std::uint64_t ticket = connection.idle_ticket;
  connection.tcp().socket().async_wait(
      tcp::socket::wait_read, [this, watched, ticket](boost::system::error_code ec) {
        // Cancelled by take() or by closing: the connection left the pool, maybe the
        // pool itself is gone; touch nothing.
        if (ec == boost::asio::error::operation_aborted) return;
        evict(watched, ticket);
      });
}

void ConnectionPool::evict(const UpstreamConnection* connection, std::uint64_t ticket) {
  // The pointer is only compared: the connection may be long gone. The ticket tells a
  // later idle period of a connection at the same address from the one that was watched.
  for (auto& [origin, queue] : idle_) {
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->get() == connection && (*it)->idle_ticket == ticket) {
        queue.erase(it);
        evictions_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
  }
}

}  // namespace ferry::http
