#include "ferry/actions/trigger.h"

#include <string>

#include "ferry/actions/action_runner.h"
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
};

Result<Trigger> read_trigger(const http::Request& request) {
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

}  // namespace

net::awaitable<http::Response> trigger_action(ActionRunner& runner, const http::Request& request) {
  auto trigger = read_trigger(request);
  if (!trigger) co_return http::error_response(trigger.error(), request.version());
  auto outcome = co_await runner.run(std::move(trigger->key), std::move(trigger->action_name),
                                     std::move(trigger->input));
  co_return respond(outcome, request.version());
}

}  // namespace ferry::actions
