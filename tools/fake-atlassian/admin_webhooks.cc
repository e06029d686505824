// The admin calls for Jira's dynamic webhooks: GET /__admin/webhooks lists every webhook of
// every app and site.
#include "ferry/http/json.h"
#include "http_util.h"
#include "routes.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using Reply = http::Response;

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

}  // namespace

void add_webhook_admin_routes(http::Router& router, std::shared_ptr<State> state) {
  router.add(http::Verb::get, "/__admin/webhooks",
             sync_handler([state](http::RequestContext& c) { return list_all(*state, c); }));
}

}  // namespace ferry::fake_atlassian
