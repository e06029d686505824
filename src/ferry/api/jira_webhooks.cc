#include "ferry/api/jira_webhooks.h"

#include <fmt/format.h>

#include <charconv>
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include "ferry/actions/proxy_action_http.h"
#include "ferry/api/authorization.h"
#include "ferry/api/handler_support.h"
#include "ferry/atlassian/jira_webhook_registrar.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/json.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;
namespace net = boost::asio;

constexpr std::size_t kMaxJiraAnswerBytes = 1024 * 1024;

// The connection the route names, checked to be one whose webhooks Ferry can manage.
// Blocks.
Result<store::ConnectionKey> managed_connection(const Services& services,
                                                http::RequestContext& ctx) {
  const std::string* integration_key = ctx.query_param("provider_config_key");
  if (!integration_key || integration_key->empty()) {
    return Error{Errc::invalid_argument, "the provider_config_key query parameter is required"};
  }
  auto integration = find_integration(services, *integration_key);
  if (!integration) return integration.error();
  const store::ConnectionKey key{*integration_key, ctx.path_params.at("id")};
  if (!atlassian::is_atlassian(**integration)) {
    // Named before the connection is looked up: the integration is what is wrong.
    return atlassian::check_jira_webhook_target(**integration, true, store::Connection{}).error();
  }
  auto connection = services.store->find_connection(key);
  if (!connection) return connection.error();
  const bool forwarding = services.events && services.events->enabled();
  if (auto target = atlassian::check_jira_webhook_target(**integration, forwarding, *connection);
      !target) {
    return target.error();
  }
  return key;
}

struct Call {
  atlassian::RegistrarDependencies deps;
  atlassian::JiraSender send;
};

Call call_for(const std::shared_ptr<const Services>& services, const store::ConnectionKey& key) {
  auto http = std::make_shared<actions::ProxyActionHttp>(services->proxy, kMaxJiraAnswerBytes);
  atlassian::JiraSender send =
      [http, key](actions::ActionRequest request) -> net::awaitable<Result<actions::ActionResponse>> {
    co_return co_await http->send(key, std::move(request));
  };
  return Call{{*services->store, *services->blocking, *services->clock,
               atlassian::jira_delivery_url(services->project->server, key.provider_config_key)},
              std::move(send)};
}

json list_json(const std::vector<atlassian::JiraWebhook>& webhooks) {
  json rows = json::array();
  for (const auto& webhook : webhooks) rows.push_back(atlassian::to_json(webhook));
  return {{"webhooks", std::move(rows)}};
}

net::awaitable<http::Response> register_route(std::shared_ptr<const Services> services,
                                              http::RequestContext& ctx) {
  auto key = co_await services->blocking->run([&] { return managed_connection(*services, ctx); });
  if (!key) co_return fail(ctx, key.error());
  const json body = json::parse(ctx.request.body(), nullptr, false);
  auto specs = atlassian::parse_jira_webhook_specs(body.is_discarded() ? json() : body);
  if (!specs) co_return fail(ctx, specs.error());
  Call call = call_for(services, *key);
  auto registered =
      co_await atlassian::register_jira_webhooks(call.deps, *key, call.send, std::move(*specs));
  if (!registered) co_return fail(ctx, registered.error());
  co_return http::json_response(http::StatusCode::ok, *registered, ctx.request.version());
}

net::awaitable<http::Response> list_route(std::shared_ptr<const Services> services,
                                          http::RequestContext& ctx) {
  auto listed = co_await services->blocking->run([&]() -> Result<json> {
    auto key = managed_connection(*services, ctx);
    if (!key) return key.error();
    auto connection = services->store->find_connection(*key);
    if (!connection) return connection.error();
    return list_json(atlassian::jira_webhooks(connection->connection_config));
  });
  if (!listed) co_return fail(ctx, listed.error());
  co_return http::json_response(http::StatusCode::ok, *listed, ctx.request.version());
}

net::awaitable<http::Response> refresh_route(std::shared_ptr<const Services> services,
                                             http::RequestContext& ctx) {
  auto key = co_await services->blocking->run([&] { return managed_connection(*services, ctx); });
  if (!key) co_return fail(ctx, key.error());
  Call call = call_for(services, *key);
  auto refreshed = co_await atlassian::refresh_jira_webhooks(call.deps, *key, call.send);
  if (!refreshed) co_return fail(ctx, refreshed.error());
  co_return http::json_response(http::StatusCode::ok, list_json(*refreshed),
                                ctx.request.version());
}

net::awaitable<http::Response> delete_route(std::shared_ptr<const Services> services,
                                            http::RequestContext& ctx) {
  const std::string& text = ctx.path_params.at("webhook");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    co_return fail(ctx, Errc::invalid_argument, "the webhook id must be a positive integer");
  }
  auto key = co_await services->blocking->run([&] { return managed_connection(*services, ctx); });
  if (!key) co_return fail(ctx, key.error());
  Call call = call_for(services, *key);
  std::vector<std::int64_t> ids(1, id);
  auto deleted =
      co_await atlassian::delete_jira_webhooks(call.deps, *key, call.send, std::move(ids));
  if (!deleted) co_return fail(ctx, deleted.error());
  // Built outside the co_return: GCC 12 rejects a braced list inside co_await/co_return.
  json answer = json::object();
  answer["success"] = true;
  co_return http::json_response(http::StatusCode::ok, answer, ctx.request.version());
}

using Route = net::awaitable<http::Response> (*)(std::shared_ptr<const Services>,
                                                 http::RequestContext&);

}  // namespace

void register_jira_webhooks(http::Router& router, std::shared_ptr<const Services> services) {
  auto add = [&](http::Verb verb, std::string pattern, Route route) {
    router.add(verb, std::move(pattern),
               require_backend_access(services, [services, route](http::RequestContext& ctx) {
                 return route(services, ctx);
               }));
  };
  add(http::Verb::post, "/connections/{id}/jira-webhooks", register_route);
  add(http::Verb::get, "/connections/{id}/jira-webhooks", list_route);
  add(http::Verb::post, "/connections/{id}/jira-webhooks/refresh", refresh_route);
  add(http::Verb::delete_, "/connections/{id}/jira-webhooks/{webhook}", delete_route);
}

}  // namespace ferry::api
