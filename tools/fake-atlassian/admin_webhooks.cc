// The admin calls for Jira's dynamic webhooks: GET /__admin/webhooks lists every webhook of
// every app and site; POST /__admin/webhooks/deliver makes the fake send an event's
// deliveries, as Jira would, and reports what each receiver answered.
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <variant>

#include "ferry/core/io_workers.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/http/json.h"
#include "http_util.h"
#include "routes.h"
#include "sites.h"
#include "webhook_delivery.h"

namespace ferry::fake_atlassian {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using Reply = http::Response;

Reply admin_error(const std::string& message, unsigned version) {
  return http::json_response(http::StatusCode::bad_request, {{"error", message}}, version);
}

// The engine deliveries go through (Ferry's own: TLS verified against the system's CAs, no
// outbound proxy), made on the first delivery because loading the trust store is slow and most
// runs never deliver. No I/O workers: every delivery opens its own connection and closes it
// after the answer's head. Shared by every session; thread-safe.
class Sender {
 public:
  // The engine, or null when it cannot be made (then `why` says why).
  http::Exchange* exchange(std::string& why) {
    std::call_once(made_, [this] {
      auto engine = http::UpstreamEngine::create(http::EngineOptions(), IoWorkers{});
      if (engine) {
        exchange_ = std::move(*engine);
      } else {
        unavailable_ = engine.error().message;
      }
    });
    why = unavailable_;
    return exchange_.get();
  }

 private:
  std::once_flag made_;
  std::shared_ptr<http::Exchange> exchange_;
  std::string unavailable_;  // set when exchange_ is null
};

// GET /__admin/webhooks: {"webhooks": [...]}, each as Jira lists it plus its owner, site and
// whether it has expired.
Reply list_all(State& state, http::RequestContext& context) {
  json webhooks = state.locked([](Shared& s) {
    json out = json::array();
    const TimePoint now = s.now();
    for (const auto& [id, webhook] : s.webhooks.all()) {
      json entry = webhook_json(webhook);
      entry["client_id"] = webhook.client_id;
      entry["cloud_id"] = webhook.cloud_id;
      entry["expired"] = !webhook.is_live(now);
      out.push_back(std::move(entry));
    }
    return out;
  });
  return http::json_response(http::StatusCode::ok, {{"webhooks", std::move(webhooks)}},
                             context.request.version());
}

// What POST /__admin/webhooks/deliver asks for.
struct DeliverRequest {
  std::string cloud_id;
  std::string event;
  std::string issue_key;
  std::optional<std::string> secret;  // signs instead of the app's client secret
  bool is_unsigned = false;           // no Authorization header
  bool expired = false;               // a JWT whose exp has passed
};

std::variant<DeliverRequest, std::string> read_deliver_request(const std::string& text) {
  const auto body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::string("expected a JSON object");
  static const std::set<std::string> kKeys = {"cloud_id", "event",    "issue_key",
                                              "secret",   "unsigned", "expired"};
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!kKeys.count(it.key())) return "unknown key \"" + it.key() + "\"";
  }
  for (const char* key : {"cloud_id", "event", "issue_key"}) {
    if (!body.contains(key) || !body[key].is_string()) return std::string(key) + " is required";
  }
  if (body.contains("secret") && !body["secret"].is_string()) return "secret must be a string";
  for (const char* key : {"unsigned", "expired"}) {
    if (body.contains(key) && !body[key].is_boolean()) {
      return std::string(key) + " must be a boolean";
    }
  }
  DeliverRequest out;
  out.cloud_id = body["cloud_id"];
  out.event = body["event"];
  out.issue_key = body["issue_key"];
  if (!is_webhook_event(out.event)) return "unsupported event \"" + out.event + "\"";
  if (body.contains("secret")) out.secret = body["secret"].get<std::string>();
  out.is_unsigned = body.value("unsigned", false);
  out.expired = body.value("expired", false);
  return out;
}

// The deliveries of `request`, decided under the lock, or why there are none (an unknown
// site or issue). The fake registers one OAuth client, so every webhook is that app's and its
// client secret signs.
std::variant<std::vector<Delivery>, std::string> plan_deliveries(State& state,
                                                                 const DeliverRequest& request) {
  const std::string& app_secret = state.options().client_secret;
  return state.locked([&](Shared& s) -> std::variant<std::vector<Delivery>, std::string> {
    const Site* site = find_site(request.cloud_id);
    if (!site) return "unknown cloud_id \"" + request.cloud_id + "\"";
    const SiteData& data = s.sites.at(site->id);
    const Issue* issue = data.find_issue(request.issue_key);
    if (!issue) return "no issue \"" + request.issue_key + "\" on site " + site->name;
    const Project* found = data.find_project(issue->project_key);
    const Project project = found ? *found : Project{"", issue->project_key, issue->project_key};
    const TimePoint now = s.now();
    std::vector<Delivery> out;
    for (auto& target : s.webhooks.targets(site->id, request.event, *issue, now)) {
      Delivery delivery;
      delivery.url = std::move(target.url);
      delivery.body =
          delivery_body(request.event, target.webhook_ids, *issue, project, *site, now).dump();
      delivery.webhook_ids = std::move(target.webhook_ids);
      if (!request.is_unsigned) {
        const std::string& secret = request.secret ? *request.secret : app_secret;
        delivery.authorization =
            "Bearer " + delivery_jwt(target.client_id, secret, now, request.expired);
      }
      out.push_back(std::move(delivery));
    }
    return out;
  });
}

// POST /__admin/webhooks/deliver: sends each delivery in turn (each within its timeout), then
// answers {"deliveries": [{"url", "status", "webhook_ids", "error"?}]}. The lock is not held
// while sending, so a receiver may call the fake back.
net::awaitable<Reply> deliver(std::shared_ptr<State> state, std::shared_ptr<Sender> sender,
                              http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto request = read_deliver_request(context.request.body());
  if (auto* problem = std::get_if<std::string>(&request)) co_return admin_error(*problem, version);
  auto planned = plan_deliveries(*state, std::get<DeliverRequest>(request));
  if (auto* problem = std::get_if<std::string>(&planned)) co_return admin_error(*problem, version);
  json results = json::array();
  for (const Delivery& delivery : std::get<std::vector<Delivery>>(planned)) {
    DeliveryOutcome outcome;
    if (http::Exchange* exchange = sender->exchange(outcome.error)) {
      DeliveryOutcome sent = co_await send_delivery(*exchange, delivery);
      outcome = std::move(sent);
    }
    json entry = {
        {"url", delivery.url}, {"status", outcome.status}, {"webhook_ids", delivery.webhook_ids}};
    if (!outcome.error.empty()) entry["error"] = outcome.error;
    results.push_back(std::move(entry));
  }
  co_return http::json_response(http::StatusCode::ok, {{"deliveries", std::move(results)}},
                                version);
}

}  // namespace

void add_webhook_admin_routes(http::Router& router, std::shared_ptr<State> state) {
  auto sender = std::make_shared<Sender>();
  router.add(http::Verb::get, "/__admin/webhooks",
             sync_handler([state](http::RequestContext& c) { return list_all(*state, c); }));
  router.add(http::Verb::post, "/__admin/webhooks/deliver",
             [state, sender](http::RequestContext& c) { return deliver(state, sender, c); });
}

}  // namespace ferry::fake_atlassian
