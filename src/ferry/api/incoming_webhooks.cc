#include "ferry/api/incoming_webhooks.h"

#include <fmt/format.h>

#include "ferry/api/handler_support.h"
#include "ferry/core/strings.h"
#include "ferry/events/connection_events.h"
#include "ferry/events/forwarded_webhook.h"
#include "ferry/http/json.h"
#include "ferry/observe/log.h"
#include "ferry/observe/printable.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"
#include "ferry/atlassian/delivery_routing.h"
#include "ferry/atlassian/jira_webhook_registrar.h"
#include "ferry/webhooks/hs256_jwt.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/webhooks/incoming/";
constexpr std::size_t kMaxDeliveryBytes = 1024 * 1024;
// Atlassian's delivery id: the same for every retry of one delivery.
constexpr std::string_view kDeliveryIdHeader = "X-Atlassian-Webhook-Identifier";
constexpr std::size_t kMaxDeliveryIdBytes = 128;

// The integration a request's target names (the segment after the prefix, without query).
std::string_view integration_segment(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target.size() <= kPrefix.size() || target.substr(0, kPrefix.size()) != kPrefix) return {};
  return target.substr(kPrefix.size());
}

Result<const config::Integration*> receiving_integration(const Services& services,
                                                         std::string_view key) {
  const config::Integration* integration = services.project->find_integration(std::string(key));
  if (!integration || !atlassian::is_atlassian(*integration)) {
    return Error{Errc::not_found,
                 fmt::format("no integration \"{}\" receives provider webhooks here",
                             observe::printable(key.substr(0, 100)))};
  }
  return integration;
}

// Runs before the body is read: only the provider, holding the client secret, gets further.
Status check_delivery_header(const Services& services, const http::bhttp::request_header<>& header) {
  auto integration = receiving_integration(services, integration_segment(header.target()));
  if (!integration) return integration.error();
  if (!services.events || !services.events->enabled()) {
    return Error{Errc::unavailable,
                 "this server has no webhook_url in ferry.yaml, so it cannot forward webhooks"};
  }
  constexpr std::string_view kScheme = "Bearer ";
  const std::string_view authorization = header[http::bhttp::field::authorization];
  const std::string_view token = starts_with_icase(authorization, kScheme)
                                     ? trim(authorization.substr(kScheme.size()))
                                     : std::string_view();
  return webhooks::verify_hs256_jwt(token, (*integration)->oauth_client_secret,
                                    services.clock->now());
}

std::string delivery_id(const http::RequestContext& ctx) {
  const std::string_view id = ctx.header(kDeliveryIdHeader);
  if (id.size() > kMaxDeliveryIdBytes) return {};
  for (char c : id) {
    if (c <= ' ' || c > '~') return {};
  }
  return std::string(id);
}

void record(const Services& services, const std::string& key, const std::string& connection_id,
            const char* level, int status, std::string message, json details) {
  if (!services.activity) return;
  store::ActivityEntry entry;
  entry.level = level;
  entry.type = "webhook";
  entry.provider_config_key = key;
  entry.connection_id = connection_id;
  entry.method = "POST";
  entry.url = std::string(kPrefix) + key;
  entry.status = status;
  entry.message = std::move(message);
  entry.details = std::move(details);
  services.activity->record(std::move(entry));
}

http::Response receive(const Services& services, http::RequestContext& ctx) {
  auto integration = receiving_integration(services, ctx.path_params.at("integration"));
  if (!integration) return fail(ctx, integration.error());
  const config::Integration& receiver = **integration;
  const std::string& body = ctx.request.body();
  if (body.size() > kMaxDeliveryBytes) {
    return fail(ctx, Errc::payload_too_large, "a webhook delivery may be at most 1 MiB");
  }
  events::IncomingDelivery delivery;
  delivery.provider_config_key = receiver.key;
  delivery.provider = receiver.provider;
  delivery.delivery_id = delivery_id(ctx);
  delivery.raw_body = body;
  delivery.payload = json::parse(body, nullptr, false);
  if (delivery.payload.is_discarded() || !delivery.payload.is_object()) {
    return fail(ctx, Errc::invalid_argument, "a webhook delivery must be a JSON object");
  }
  store::ConnectionFilter filter;
  filter.provider_config_key = receiver.key;
  auto connections = services.store->list_connections(filter);
  if (!connections) return fail(ctx, connections.error());
  const atlassian::Route route = atlassian::route_atlassian_delivery(delivery.payload, *connections);
  const TimePoint now = services.clock->now();
  const json event = delivery.payload.value("webhookEvent", json());
  std::vector<store::OutboxEvent> rows =
      route.connection_ids.empty()
          ? std::vector<store::OutboxEvent>{events::unroutable_event(delivery, route.reason, now)}
          : events::forwarded_events(delivery, route.connection_ids, now);
  if (auto written = services.store->append_outbox(rows); !written) {
    return fail(ctx, written.error());
  }
  const std::string event_name = event.is_string() ? observe::printable(event.get<std::string>().substr(0, 100))
                                                   : std::string("(no webhookEvent)");
  if (route.connection_ids.empty()) {
    observe::warn("[{}] webhook {} matched no connection: {}", receiver.key, event_name,
                  route.reason);
    record(services, receiver.key, "", "warn", 200,
           fmt::format("webhook {} kept as unroutable: {}", event_name, route.reason),
           {{"event_id", rows.front().id}});
  } else {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      record(services, receiver.key, route.connection_ids[i], "info", 200,
             fmt::format("webhook {} forwarded to the backend", event_name),
             {{"event_id", rows[i].id}});
    }
  }
  return http::json_response(http::StatusCode::ok,
                             {{"forwarded", route.connection_ids.size()},
                              {"unroutable", route.connection_ids.empty()}},
                             ctx.request.version());
}

}  // namespace

void register_incoming_webhooks(http::Router& router, std::shared_ptr<const Services> services) {
  http::GuardedHandler guarded;
  guarded.guard = [services](const http::bhttp::request_header<>& header) {
    return check_delivery_header(*services, header);
  };
  guarded.handler = make_handler(services, receive);
  router.add(http::Verb::post, "/webhooks/incoming/{integration}", std::move(guarded));
}

}  // namespace ferry::api
