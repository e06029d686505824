#include "ferry/api/websocket.h"

#include <utility>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>
#include <chrono>
#include <deque>

#include "ferry/api/client_address.h"
#include "ferry/api/dashboard_pages.h"
#include "ferry/core/crypto.h"
#include "ferry/http/json.h"
#include "ferry/http/server/stream_context.h"
#include "ferry/observe/log.h"

namespace ferry::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace net::experimental::awaitable_operators;

// One connected page. Everything but the executor is touched only on that executor (the
// session's I/O thread).
struct WebsocketHub::Client {
  explicit Client(net::any_io_executor ex) : executor(ex), wake(ex) {}
  net::any_io_executor executor;
  std::deque<std::string> outbox;
  net::steady_timer wake;  // cancelled to wake the writer
  bool closing = false;
};

namespace {

using WsStream = websocket::stream<beast::tcp_stream&>;
constexpr std::size_t kMaxIncomingBytes = 64 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{30};
// With keep-alive pings, a page that vanished without a close is noticed within this.
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::chrono::seconds kCloseTimeout{2};

// Reads (and drops) what the page sends, until it closes or fails.
net::awaitable<void> read_loop(WsStream& ws) {
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    buffer.consume(buffer.size());
  }
}

// Sends queued messages as they come; on close_all() sends a close frame and ends.
net::awaitable<void> write_loop(WsStream& ws, WebsocketHub::Client& client) {
  for (;;) {
    beast::error_code ec;
    while (!client.outbox.empty()) {
      const std::string message = std::move(client.outbox.front());
      client.outbox.pop_front();
      ws.text(true);
      co_await ws.async_write(net::buffer(message), net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
    }
    if (client.closing) {
      // The close handshake runs under the handshake timeout: keep a page that never
      // answers from holding the shutdown.
      ws.set_option(websocket::stream_base::timeout{kCloseTimeout, kIdleTimeout, true});
      co_await ws.async_close(websocket::close_code::going_away,
                              net::redirect_error(net::use_awaitable, ec));
      co_return;
    }
    client.wake.expires_at(net::steady_timer::time_point::max());
    co_await client.wake.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

// A plain request for `/` is the dashboard's page.
http::Response not_an_upgrade(const Services& services, http::StreamContext& ctx) {
  ctx.must_close = !ctx.parser.is_done();
  return dashboard_index(services, ctx.parser.get().method(), ctx.parser.get().version());
}

net::awaitable<std::optional<http::Response>> serve(std::shared_ptr<const Services> services,
                                                    std::shared_ptr<WebsocketHub> hub,
                                                    http::StreamContext& ctx) {
  if (!websocket::is_upgrade(ctx.parser.get())) co_return not_an_upgrade(*services, ctx);
  auto client = std::make_shared<WebsocketHub::Client>(co_await net::this_coro::executor);
  auto added = hub->add(client, client_key(ctx.remote_address));
  if (!added) {
    ctx.must_close = !ctx.parser.is_done();
    co_return http::error_response(added.error(), ctx.parser.get().version());
  }
  const std::string id = std::move(*added);
  // Whatever ends this coroutine (a close, an error, an exception, the server stopping)
  // gives the client's place back.
  struct Forget {
    WebsocketHub& hub;
    const std::string& id;
    ~Forget() { hub.remove(id); }
  } forget{*hub, id};

  ctx.must_close = true;  // the connection belongs to the websocket from here on
  ctx.stream.expires_never();
  WsStream ws(ctx.stream);
  ws.set_option(websocket::stream_base::timeout{kHandshakeTimeout, kIdleTimeout, true});
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "Ferry"); }));
  ws.read_message_max(kMaxIncomingBytes);
  beast::error_code ec;
  co_await ws.async_accept(ctx.parser.get(), net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    observe::debug("websocket handshake failed: {}", ec.message());
    co_return std::nullopt;
  }
  ctx.status_written = 101;
  client->outbox.push_back(
      nlohmann::json{{"message_type", "connection_ack"}, {"ws_client_id", id}}.dump());
  co_await (read_loop(ws) || write_loop(ws, *client));
  co_return std::nullopt;
}

}  // namespace

bool WebsocketHub::notify(const std::string& ws_client_id, const nlohmann::json& message) {
  std::shared_ptr<Client> client;
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(ws_client_id);
    if (it == clients_.end()) return false;
    client = it->second.client;
  }
  net::post(client->executor, [client, text = message.dump()]() mutable {
    client->outbox.push_back(std::move(text));
    client->wake.cancel();
  });
  return true;
}

void WebsocketHub::close_all() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& [id, entry] : clients_) {
    net::post(entry.client->executor, [client = entry.client] {
      client->closing = true;
      client->wake.cancel();
    });
  }
}

std::size_t WebsocketHub::size() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

std::size_t WebsocketHub::count_of(const std::string& client_key) const {
  std::lock_guard lock(mu_);
  auto it = per_client_.find(client_key);
  return it == per_client_.end() ? 0 : it->second;
}

Result<std::string> WebsocketHub::add(std::shared_ptr<Client> client,
                                      const std::string& client_key) {
  std::string id = uuid_v4();
  std::lock_guard lock(mu_);
  if (closed_ || clients_.size() >= kMaxClients) {
    return Error{Errc::unavailable, "too many websocket clients; try again later"};
  }
  auto found = per_client_.find(client_key);
  const std::size_t count = found == per_client_.end() ? 0 : found->second;
  if (max_per_client_ > 0 && count >= max_per_client_) {
    return Error{Errc::too_many_requests,
                 fmt::format("this address already has {} websockets open, the most allowed; "
                             "close one and try again",
                             count)};
  }
  ++per_client_[client_key];
  clients_.emplace(id, Entry{std::move(client), client_key});
  return id;
}

void WebsocketHub::remove(const std::string& ws_client_id) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(ws_client_id);
  if (it == clients_.end()) return;
  auto count = per_client_.find(it->second.client_key);
  if (count != per_client_.end() && --count->second == 0) per_client_.erase(count);
  clients_.erase(it);
}

void register_websocket(http::Router& router, std::shared_ptr<const Services> services) {
  router.add_streaming("/", [services, hub = services->websockets](http::StreamContext& ctx) {
    return serve(services, hub, ctx);
  });
}

}  // namespace ferry::api
