#include "ferry/api/webhook_deliveries.h"

#include <algorithm>
#include <charconv>

#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/http/json.h"
#include "ferry/store/outbox.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultRows = 100;
constexpr std::size_t kMaxRows = 500;

json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(format_iso8601(*t)) : json(nullptr);
}

// An event as the API shows it: its row, and the body it sends parsed back (the body is
// Ferry's own JSON, so it parses; a damaged one shows as null).
json delivery_view(const store::OutboxEvent& e) {
  json payload = json::parse(e.body, nullptr, false);
  return {{"id", e.id},
          {"seq", e.seq},
          {"type", e.type},
          {"provider_config_key", e.key.provider_config_key},
          {"connection_id", e.key.connection_id},
          {"state", store::outbox_state_name(e.state)},
          {"attempts", e.attempts},
          {"created_at", format_iso8601(e.created_at)},
          {"next_attempt_at",
           e.state == store::OutboxState::pending ? json(format_iso8601(e.next_attempt_at))
                                                  : json(nullptr)},
          {"delivered_at", time_or_null(e.delivered_at)},
          {"attempt_log", e.attempt_log},
          {"payload", payload.is_discarded() ? json(nullptr) : std::move(payload)}};
}

Result<store::OutboxFilter> parse_filter(const http::RequestContext& ctx) {
  store::OutboxFilter filter;
  if (const std::string* state = ctx.query_param("state"); state && !state->empty()) {
    filter.state = store::outbox_state_from_name(*state);
    if (!filter.state) {
      return Error{Errc::invalid_argument,
                   "query parameter state must be pending, delivered, dead or unroutable"};
    }
  }
  if (const std::string* key = ctx.query_param("integration"); key && !key->empty()) {
    filter.provider_config_key = *key;
  }
  if (const std::string* id = ctx.query_param("connection_id"); id && !id->empty()) {
    filter.connection_id = *id;
  }
  if (const std::string* before = ctx.query_param("before"); before && !before->empty()) {
    std::int64_t seq = 0;
    auto [end, ec] = std::from_chars(before->data(), before->data() + before->size(), seq);
    if (ec != std::errc() || end != before->data() + before->size() || seq <= 0) {
      return Error{Errc::invalid_argument, "query parameter before must be a positive integer"};
    }
    filter.before_seq = seq;
  }
  auto limit = parse_count(ctx, "limit", kDefaultRows);
  if (!limit) return limit.error();
  // 0 would mean "no limit" to the store: here it is the most allowed, as for /logs.
  filter.limit = *limit == 0 ? kMaxRows : std::min(*limit, kMaxRows);
  return filter;
}

http::Response list_deliveries(const Services& services, http::RequestContext& ctx) {
  auto filter = parse_filter(ctx);
  if (!filter) return fail(ctx, filter.error());
  auto events = services.store->list_outbox(*filter);
  if (!events) return fail(ctx, events.error());
  json rows = json::array();
  for (const auto& e : *events) rows.push_back(delivery_view(e));
  // A full page may have more after it.
  const json next = events->size() == filter->limit ? json(events->back().seq) : json(nullptr);
  return http::json_response(http::StatusCode::ok, {{"deliveries", rows}, {"next_before", next}},
                             ctx.request.version());
}

http::Response replay_delivery(const Services& services, http::RequestContext& ctx) {
  auto replayed =
      services.store->replay_outbox_event(ctx.path_params.at("id"), services.clock->now());
  if (!replayed) return fail(ctx, replayed.error());
  return http::json_response(http::StatusCode::ok, delivery_view(*replayed),
                             ctx.request.version());
}

}  // namespace

void register_webhook_deliveries(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::get, "/webhooks/deliveries",
             require_backend_access(services, make_handler(services, list_deliveries)));
  router.add(http::Verb::post, "/webhooks/deliveries/{id}/replay",
             require_backend_access(services, make_handler(services, replay_delivery)));
}

}  // namespace ferry::api
