#include "ferry/api/dashboard_connections.h"

#include <map>

#include "ferry/api/authorization.h"
#include "ferry/api/dashboard_connection_view.h"
#include "ferry/api/handler_support.h"
#include "ferry/auth/credential_source.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultRows = 200;
constexpr std::size_t kMaxRows = 1000;
constexpr std::size_t kMaxSearchBytes = 200;
// How many of the newest successful token renewals the list looks through for each row's
// last refresh: a connection renewed only before those shows none.
constexpr std::size_t kRefreshLookback = 10'000;

// Whether the row matches the dashboard's search box: a case-insensitive substring of the
// connection id, the end user's id, email or display name.
bool matches(const store::Connection& c, const std::string& needle) {
  if (needle.empty()) return true;
  auto has = [&](const std::string& text) { return to_lower(text).find(needle) != std::string::npos; };
  if (has(c.connection_id)) return true;
  if (!c.end_user.is_object()) return false;
  for (const char* field : {"id", "email", "display_name"}) {
    const json& value = c.end_user.value(field, json());
    if (value.is_string() && has(value.get<std::string>())) return true;
  }
  return false;
}

// The activity log's successful token renewals, newest first.
store::ActivityFilter renewals(std::size_t limit) {
  store::ActivityFilter filter;
  filter.type = "refresh";
  filter.status_classes = store::status_class_bit(2);
  filter.limit = limit;
  return filter;
}

// When each connection's tokens were last renewed, from the `kRefreshLookback` newest
// renewals (of `integration` when set).
std::map<store::ConnectionKey, TimePoint> last_refreshes(
    const Services& services, const std::optional<std::string>& integration) {
  if (services.activity) services.activity->flush();
  store::ActivityFilter filter = renewals(kRefreshLookback);
  filter.provider_config_key = integration;
  std::map<store::ConnectionKey, TimePoint> last;
  if (auto entries = services.store->list_activity(filter)) {
    for (const auto& e : *entries) {  // newest first: the first entry of a connection wins
      last.try_emplace({e.provider_config_key, e.connection_id}, e.timestamp);
    }
  }
  return last;
}

// When the connection's tokens were last renewed; nullopt when the log has no renewal.
std::optional<TimePoint> last_refresh(const Services& services, const store::ConnectionKey& key) {
  if (services.activity) services.activity->flush();
  store::ActivityFilter filter = renewals(1);
  filter.connection_id = key.connection_id;
  filter.provider_config_key = key.provider_config_key;
  auto entries = services.store->list_activity(filter);
  if (!entries || entries->empty()) return std::nullopt;
  return entries->front().timestamp;
}

http::Response list_rows(const Services& services, http::RequestContext& ctx) {
  store::ConnectionFilter filter;
  if (auto* key = ctx.query_param("integration"); key && !key->empty()) {
    filter.provider_config_key = *key;
  }
  const std::string* search = ctx.query_param("search");
  if (search && search->size() > kMaxSearchBytes) {
    return fail(ctx, Errc::invalid_argument,
                "search is longer than " + std::to_string(kMaxSearchBytes) + " bytes");
  }
  auto limit = parse_count(ctx, "limit", kDefaultRows);
  if (!limit) return fail(ctx, limit.error());
  const std::string needle = search ? to_lower(*search) : std::string();
  auto found = services.store->list_connections(filter);
  if (!found) return fail(ctx, found.error());
  const auto refreshed = last_refreshes(services, filter.provider_config_key);
  const TimePoint now = services.clock->now();
  json rows = json::array();
  std::size_t matched = 0;
  for (const auto& c : *found) {
    if (!matches(c, needle)) continue;
    if (matched++ >= std::min(*limit, kMaxRows)) continue;
    auto last = refreshed.find(c.key());
    rows.push_back(dashboard_connection_row(
        c, now, last == refreshed.end() ? std::nullopt : std::optional(last->second)));
  }
  return http::json_response(http::StatusCode::ok, {{"connections", rows}, {"total", matched}},
                             ctx.request.version());
}

store::ConnectionKey key_of(const http::RequestContext& ctx) {
  return {ctx.path_params.at("integration"), ctx.path_params.at("connection_id")};
}

http::Response page_response(const Services& services, http::RequestContext& ctx,
                             const store::Connection& connection) {
  return http::json_response(
      http::StatusCode::ok,
      dashboard_connection_page(connection, services.clock->now(),
                                last_refresh(services, connection.key())),
      ctx.request.version());
}

http::Response show_page(const Services& services, http::RequestContext& ctx) {
  auto connection = services.store->find_connection(key_of(ctx));
  if (!connection) return fail(ctx, connection.error());
  return page_response(services, ctx, *connection);
}

// "Refresh now": the same single-flight renewal request-time refresh uses, forced.
boost::asio::awaitable<http::Response> refresh_now(std::shared_ptr<const Services> services,
                                                   http::RequestContext& ctx) {
  const store::ConnectionKey key = key_of(ctx);
  if (auto integration = find_integration(*services, key.provider_config_key); !integration) {
    co_return fail(ctx, integration.error());
  }
  auto usable = co_await services->credentials->usable_connection(key, true);
  if (!usable) co_return fail(ctx, usable.error());
  co_return co_await services->blocking->run(
      [&] { return page_response(*services, ctx, **usable); });
}

}  // namespace

void register_dashboard_connections(http::Router& router,
                                    std::shared_ptr<const Services> services) {
  router.add(http::Verb::get, "/dashboard/api/connections",
             require_backend_access(services, make_handler(services, list_rows)));
  router.add(http::Verb::get, "/dashboard/api/connections/{integration}/{connection_id}",
             require_backend_access(services, make_handler(services, show_page)));
  router.add(http::Verb::post, "/dashboard/api/connections/{integration}/{connection_id}/refresh",
             require_backend_access(services, [services](http::RequestContext& ctx) {
               return refresh_now(services, ctx);
             }));
}

}  // namespace ferry::api
