#include "ferry/actions/trigger.h"

#include <utility>  // before Asio's coroutine headers

#include <boost/asio/this_coro.hpp>
#include <string>

#include "ferry/actions/action_runner.h"
#include "ferry/actions/async_actions.h"
#include "ferry/http/json.h"

namespace ferry::actions {
namespace {

namespace net = boost::asio;
using nlohmann::json;

Result<std::string> required_header(const http::Request& request, const char* name) {
  auto value = request[name];
  if (value.empty()) {
    return Error{Errc::invalid_argument, std::string("the ") + name + " header is required"};
  }
  return std::string(value);
}

struct Trigger {
  store::ConnectionKey key;
  std::string action_name;
  json input;
  bool is_async = false;
};

// X-Async: "true" asks for an asynchronous run (Nango compares with "true" exactly; anything
// else we refuse rather than guess).
Result<bool> read_async_header(const http::Request& request) {
  auto value = request["X-Async"];
  if (value.empty() || value == "false") return false;
  if (value == "true") return true;
  return Error{Errc::invalid_argument, "the X-Async header must be \"true\" or \"false\""};
}

// Nango retries an asynchronous action up to X-Max-Retries (0-5) times. Ferry runs every
// action once: 0 (or no header) is what it does; any other value is refused.
Status check_max_retries_header(const http::Request& request) {
  auto value = request["X-Max-Retries"];
  if (value.empty() || value == "0") return ok();
  return Error{Errc::invalid_argument,
               "X-Max-Retries is not supported: Ferry runs an action once (only 0 is accepted)"};
}

Result<Trigger> read_trigger(const http::Request& request) {
  auto is_async = read_async_header(request);
  if (!is_async) return std::move(is_async).error();
  if (auto retries = check_max_retries_header(request); !retries) return retries.error();
  auto connection_id = required_header(request, "Connection-Id");
  if (!connection_id) return std::move(connection_id).error();
  auto integration = required_header(request, "Provider-Config-Key");
  if (!integration) return std::move(integration).error();
  auto body = http::parse_json_body(request);
  if (!body) return std::move(body).error();
  if (!body->is_object()) {
    return Error{Errc::invalid_argument, "the body must be a JSON object"};
  }
  auto name = body->find("action_name");
  if (name == body->end() || !name->is_string() || name->get<std::string>().empty()) {
    return Error{Errc::invalid_argument,
                 "\"action_name\" is required and must be a non-empty string"};
  }
  Trigger trigger;
  trigger.key = store::ConnectionKey{std::move(*integration), std::move(*connection_id)};
  trigger.action_name = name->get<std::string>();
  trigger.is_async = *is_async;
  if (auto input = body->find("input"); input != body->end()) trigger.input = std::move(*input);
  return trigger;
}

http::Response respond(const ActionOutcome& outcome, unsigned version) {
  http::Response response;
  if (outcome.ok()) {
    response = http::json_response(http::StatusCode::ok, outcome.output, version);
  } else {
    const ActionFailure& failure = *outcome.failure;
    json extra = json::object();
    if (failure.code == Errc::action_failed) extra["payload"] = failure.payload;
    response = http::error_response(Error{failure.code, failure.message}, version, extra);
  }
  response.set(kExecIdHeader, outcome.exec_id);
  return response;
}

// 202 {"id", "statusUrl"} with Location, as Nango answers an asynchronous trigger.
net::awaitable<http::Response> start_async(AsyncActions& async_actions, Trigger trigger,
                                           unsigned version) {
  auto executor = co_await net::this_coro::executor;
  auto id = co_await async_actions.start(std::move(trigger.key), std::move(trigger.action_name),
                                         std::move(trigger.input), executor);
  if (!id) co_return http::error_response(id.error(), version);
  const std::string status_url = "/action/" + *id;
  json body = json::object();
  body["id"] = *id;
  body["statusUrl"] = status_url;
  http::Response response = http::json_response(http::StatusCode::accepted, body, version);
  response.set(http::bhttp::field::location, status_url);
  co_return response;
}

}  // namespace

net::awaitable<http::Response> trigger_action(ActionRunner& runner, AsyncActions* async_actions,
                                              const http::Request& request) {
  auto trigger = read_trigger(request);
  if (!trigger) co_return http::error_response(trigger.error(), request.version());
  if (trigger->is_async) {
    if (!async_actions) {
      co_return http::error_response(
          Error{Errc::unavailable, "asynchronous actions are not available"}, request.version());
    }
    co_return co_await start_async(*async_actions, std::move(*trigger), request.version());
  }
  auto outcome = co_await runner.run(std::move(trigger->key), std::move(trigger->action_name),
                                     std::move(trigger->input));
  co_return respond(outcome, request.version());
}

}  // namespace ferry::actions
