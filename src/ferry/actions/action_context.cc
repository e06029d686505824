#include "ferry/actions/action_context.h"

#include <fmt/format.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <variant>

#include "ferry/core/blocking_pool.h"
#include "ferry/store/store.h"

namespace ferry::actions {

namespace net = boost::asio;

namespace {

using nlohmann::json;
using std::chrono::steady_clock;

json make_view(const store::Connection& connection) {
  return {{"connection_id", connection.connection_id},
          {"provider_config_key", connection.provider_config_key},
          {"provider", connection.provider},
          {"connection_config", connection.connection_config},
          {"metadata", connection.metadata}};
}

// Asio's `||` needs default-constructible results; Result<T> is not.
net::awaitable<std::optional<Result<ActionResponse>>> send_wrapped(
    std::shared_ptr<ActionHttp> http, store::ConnectionKey key, ActionRequest request) {
  auto result = co_await http->send(key, std::move(request));
  co_return std::optional<Result<ActionResponse>>(std::move(result));
}

}  // namespace

ActionContext::ActionContext(RunIdentity identity, store::Connection connection,
                             RunServices services)
    : identity_(std::move(identity)),
      key_(connection.key()),
      services_(std::move(services)),
      view_(make_view(connection)),
      prefix_(fmt::format("[{}] [{}] [connection: {}] [exec ID: #{}]", identity_.integration,
                          identity_.action, connection.connection_id, identity_.exec_id)) {}

net::awaitable<Result<ActionResponse>> ActionContext::send(ActionRequest request) {
  const std::string what = request.method + " " + request.endpoint;
  if (!services_.http) {
    co_return Error{Errc::unavailable, "upstream calls are not available on this server"};
  }
  const auto started = steady_clock::now();
  if (started >= services_.deadline) deadline_passed_ = true;
  if (deadline_passed_) {
    co_return Error{Errc::upstream_timeout, "the action's time limit passed before " + what};
  }
  using namespace net::experimental::awaitable_operators;
  net::steady_timer timer(co_await net::this_coro::executor, services_.deadline);
  auto call = send_wrapped(services_.http, key_, std::move(request));
  auto outcome = co_await (std::move(call) || timer.async_wait(net::use_awaitable));
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - started);
  if (outcome.index() == 1 || !std::get<0>(outcome).has_value()) {
    deadline_passed_ = true;
    log(observe::Level::debug, fmt::format("{} stopped by the time limit after {} ms", what,
                                           elapsed.count()));
    co_return Error{Errc::upstream_timeout,
                    "the action's time limit passed while waiting for " + what};
  }
  Result<ActionResponse> result = std::move(*std::get<0>(outcome));
  if (log_enabled(observe::Level::debug)) {
    log(observe::Level::debug,
        result ? fmt::format("{} -> {} in {} ms", what, result->status, elapsed.count())
               : fmt::format("{} failed in {} ms: {}", what, elapsed.count(),
                             result.error().message));
  }
  co_return result;
}

net::awaitable<Status> ActionContext::set_metadata(json metadata) {
  co_return co_await write_metadata(std::move(metadata), false);
}

net::awaitable<Status> ActionContext::update_metadata(json metadata) {
  co_return co_await write_metadata(std::move(metadata), true);
}

net::awaitable<Result<json>> ActionContext::register_webhooks(json spec) {
  if (!services_.register_webhooks) {
    co_return Error{Errc::unavailable, "this server cannot register webhooks for actions"};
  }
  auto send = [this](ActionRequest request) -> net::awaitable<Result<ActionResponse>> {
    co_return co_await this->send(std::move(request));
  };
  co_return co_await services_.register_webhooks(key_, send, std::move(spec));
}

net::awaitable<Status> ActionContext::write_metadata(json metadata, bool merge) {
  if (!metadata.is_object()) {
    co_return Error{Errc::invalid_argument, "metadata must be a table with string keys"};
  }
  if (!services_.store) co_return Error{Errc::unavailable, "the store is not available"};
  const std::vector<std::string> ids = {key_.connection_id};
  store::Store& store = *services_.store;
  auto write = [&] { return store.set_metadata(key_.provider_config_key, ids, metadata, merge); };
  Status written = ok();
  if (services_.blocking) {
    written = co_await services_.blocking->run(write);
  } else {
    written = write();
  }
  if (!written) co_return written;
  json& current = view_["metadata"];
  if (!merge || !current.is_object()) {
    current = metadata;
  } else {
    for (const auto& [name, value] : metadata.items()) current[name] = value;
  }
  co_return ok();
}

bool ActionContext::log_enabled(observe::Level level) const {
  return static_cast<int>(level) <= static_cast<int>(services_.log_level);
}

void ActionContext::log(observe::Level level, std::string_view message) const {
  if (!log_enabled(level)) return;
  std::string line;
  line.reserve(prefix_.size() + 1 + message.size());
  line.append(prefix_).append(" ").append(message);
  observe::write(level, line);
}

}  // namespace ferry::actions
