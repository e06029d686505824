// Jira's dynamic webhooks for OAuth 2.0 apps behind /ex/jira/{cloudId}/rest/api/{2,3}/webhook
// (REST reference, "Webhooks" group). Each call acts on the calling app's webhooks on that
// site only; the app is the client id the access token was issued to.
#include <algorithm>
#include <chrono>

#include "ferry/core/url_parse.h"
#include "ferry/http/json.h"
#include "gateway.h"
#include "http_util.h"
#include "routes.h"
#include "webhooks.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using Reply = http::Response;

constexpr long long kDefaultPageSize = 100;
constexpr long long kMaxPageSize = 100;

const std::vector<std::string> kManageWebhooks = {"manage:jira-webhook"};

Reply bad_request(const std::string& message, unsigned version) {
  return error_collection(http::StatusCode::bad_request, {message}, json::object(), version);
}

template <class Fn>
Reply with_caller(State& state, http::RequestContext& context, Fn fn) {
  return with_gateway_caller(state, context, Api::jira, kManageWebhooks, std::move(fn));
}

bool is_http_url(const std::string& text) {
  auto parsed = parse_absolute_uri(text);
  return parsed && (parsed->scheme() == "http" || parsed->scheme() == "https") &&
         !parsed->host().empty();
}

// One registration result per entry, in order; a bad entry does not stop the others.
json register_entries(const json& entries, const Caller& caller, const std::string& url,
                      Shared& s) {
  json results = json::array();
  for (const auto& entry : entries) {
    auto spec = parse_webhook_spec(entry);
    if (auto* problem = std::get_if<std::string>(&spec)) {
      results.push_back({{"errors", {*problem}}});
      continue;
    }
    auto id = s.webhooks.add(caller.client_id, caller.site.id, url,
                             std::get<WebhookSpec>(std::move(spec)), s.now());
    if (!id) {
      results.push_back({{"errors", {id.error().message}}});
    } else {
      results.push_back({{"createdWebhookId", *id}});
    }
  }
  return results;
}

// POST .../webhook {"url", "webhooks": [{"jqlFilter", "events", ...}]}.
Reply register_webhooks(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, [&](const Caller& caller, Shared& s) {
    auto body = json_object_body(context.request);
    if (!body) return bad_request("The request body is not a JSON object.", version);
    if (!body->contains("url") || !(*body)["url"].is_string() || !is_http_url((*body)["url"])) {
      return bad_request("The webhook URL must be an absolute http or https URL.", version);
    }
    if (!body->contains("webhooks") || !(*body)["webhooks"].is_array() ||
        (*body)["webhooks"].empty()) {
      return bad_request("At least one webhook is required.", version);
    }
    const std::string url = (*body)["url"];
    if (s.webhooks.url_conflicts(caller.client_id, caller.site.id, url, s.now())) {
      return bad_request("Only a single URL per app is allowed to be registered.", version);
    }
    json results = register_entries((*body)["webhooks"], caller, url, s);
    return http::json_response(http::StatusCode::ok, {{"webhookRegistrationResult", results}},
                               version);
  });
}

// A non-negative integer query parameter, `fallback` when absent, nullopt when malformed.
std::optional<long long> count_param(const http::RequestContext& context, const char* name,
                                     long long fallback) {
  const std::string* text = context.query_param(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    const long long value = std::stoll(*text, &used);
    if (used != text->size() || value < 0) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// GET .../webhook?startAt=&maxResults=: a PageBean of the app's live webhooks on the site.
Reply list_webhooks(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, [&](const Caller& caller, Shared& s) {
    const auto start_at = count_param(context, "startAt", 0);
    const auto max_results = count_param(context, "maxResults", kDefaultPageSize);
    if (!start_at || !max_results) {
      return bad_request("startAt and maxResults must be non-negative integers.", version);
    }
    const auto live = s.webhooks.live(caller.client_id, caller.site.id, s.now());
    const long long page_size = std::min(*max_results, kMaxPageSize);
    const auto total = static_cast<long long>(live.size());
    const long long first = std::min(*start_at, total);
    const long long end = std::min(total, first + page_size);
    json values = json::array();
    for (long long i = first; i < end; ++i) {
      values.push_back(webhook_json(*live[static_cast<std::size_t>(i)]));
    }
    return http::json_response(http::StatusCode::ok,
                               {{"startAt", *start_at},
                                {"maxResults", page_size},
                                {"total", total},
                                {"isLast", end >= total},
                                {"values", std::move(values)}},
                               version);
  });
}

// The "webhookIds" of a refresh or delete body: an array of integers; nullopt otherwise.
std::optional<std::vector<std::int64_t>> webhook_ids(const http::Request& request) {
  auto body = json_object_body(request);
  if (!body || !body->contains("webhookIds") || !(*body)["webhookIds"].is_array()) {
    return std::nullopt;
  }
  std::vector<std::int64_t> ids;
  for (const auto& id : (*body)["webhookIds"]) {
    if (!id.is_number_integer()) return std::nullopt;
    ids.push_back(id.get<std::int64_t>());
  }
  return ids;
}

constexpr const char* kIdsRequired = "webhookIds must be an array of webhook ids.";

// PUT .../webhook/refresh {"webhookIds": [...]} -> {"expirationDate": <epoch ms>}.
Reply refresh_webhooks(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, [&](const Caller& caller, Shared& s) {
    const auto ids = webhook_ids(context.request);
    if (!ids) return bad_request(kIdsRequired, version);
    const TimePoint expires = s.webhooks.refresh(caller.client_id, caller.site.id, *ids, s.now());
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(expires.time_since_epoch());
    return http::json_response(http::StatusCode::ok, {{"expirationDate", ms.count()}}, version);
  });
}

// DELETE .../webhook {"webhookIds": [...]} -> 202, no body.
Reply delete_webhooks(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  return with_caller(state, context, [&](const Caller& caller, Shared& s) {
    const auto ids = webhook_ids(context.request);
    if (!ids) return bad_request(kIdsRequired, version);
    s.webhooks.remove(caller.client_id, caller.site.id, *ids);
    Reply accepted{http::StatusCode::accepted, version};
    accepted.prepare_payload();
    return accepted;
  });
}

}  // namespace

void add_webhook_routes(http::Router& router, std::shared_ptr<State> state) {
  auto route = [&](http::Verb verb, const std::string& path,
                   Reply (*fn)(State&, http::RequestContext&)) {
    router.add(verb, path,
               sync_handler([state, fn](http::RequestContext& c) { return fn(*state, c); }));
  };
  for (const char* version : {"2", "3"}) {
    const std::string webhook = std::string("/ex/jira/{cloudId}/rest/api/") + version + "/webhook";
    route(http::Verb::post, webhook, register_webhooks);
    route(http::Verb::get, webhook, list_webhooks);
    route(http::Verb::delete_, webhook, delete_webhooks);
    route(http::Verb::put, webhook + "/refresh", refresh_webhooks);
  }
}

}  // namespace ferry::fake_atlassian
