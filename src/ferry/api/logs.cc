#include "ferry/api/logs.h"

#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/api/log_query.h"
#include "ferry/core/clock.h"
#include "ferry/http/json.h"
#include "ferry/observe/redact.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// Entries were redacted when written; they are redacted again on the way out, because a
// secret registered since (a token obtained later) may appear in an older entry.
json entry_view(const store::ActivityEntry& e) {
  json details = e.details;
  observe::redact_json(details);
  return json{{"id", e.id},
              {"timestamp", format_iso8601(e.timestamp)},
              {"level", e.level},
              {"type", e.type},
              {"integration", e.provider_config_key},
              {"connection_id", observe::redact(e.connection_id)},
              {"method", e.method},
              {"url", observe::redact(e.url)},
              {"status", e.status},
              {"duration_ms", e.duration_ms},
              {"bytes_in", e.bytes_in},
              {"bytes_out", e.bytes_out},
              {"attempts", e.attempts},
              {"message", observe::redact(e.message)},
              {"details", std::move(details)}};
}

http::Response list_logs(const Services& services, http::RequestContext& ctx) {
  auto filter = parse_log_filter(ctx.query);
  if (!filter) return fail(ctx, filter.error());
  if (services.activity) services.activity->flush();
  auto entries = services.store->list_activity(*filter);
  if (!entries) return fail(ctx, entries.error());
  json logs = json::array();
  for (const auto& e : *entries) logs.push_back(entry_view(e));
  return http::json_response(http::StatusCode::ok, {{"logs", logs}}, ctx.request.version());
}

http::Response get_log(const Services& services, http::RequestContext& ctx) {
  auto id = parse_log_id(ctx.path_params.at("id"));
  if (!id) return fail(ctx, id.error());
  store::ActivityFilter filter;
  filter.id = *id;
  filter.limit = 1;
  if (services.activity) services.activity->flush();
  auto entries = services.store->list_activity(filter);
  if (!entries) return fail(ctx, entries.error());
  if (entries->empty()) {
    return fail(ctx, Errc::not_found, "no activity entry has id " + std::to_string(*id));
  }
  return http::json_response(http::StatusCode::ok, entry_view(entries->front()),
                             ctx.request.version());
}

}  // namespace

void register_logs(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::get, "/logs",
             require_backend_access(services, make_handler(services, list_logs)));
  router.add(http::Verb::get, "/logs/{id}",
             require_backend_access(services, make_handler(services, get_log)));
}

}  // namespace ferry::api
