#include "ferry/api/connections.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/awaitable.hpp>
#include <fmt/format.h>

#include "ferry/api/authorization.h"
#include "ferry/api/client_credentials.h"
#include "ferry/api/connection_deletion.h"
#include "ferry/api/connection_id.h"
#include "ferry/api/connection_view.h"
#include "ferry/api/handler_support.h"
#include "ferry/auth/credential_source.h"
#include "ferry/auth/credentials.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/json.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

Result<std::string> required_string(const json& body, const char* field) {
  if (!body.contains(field) || !body[field].is_string() || body[field].get<std::string>().empty()) {
    return Error{Errc::invalid_argument,
                 fmt::format("\"{}\" is required and must be a non-empty string", field)};
  }
  return body[field].get<std::string>();
}

Result<json> optional_object(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return json::object();
  if (!body[field].is_object()) {
    return Error{Errc::invalid_argument, fmt::format("\"{}\" must be a JSON object", field)};
  }
  return body[field];
}

http::Response create_connection(const Services& services, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  if (!body->is_object()) return fail(ctx, Errc::invalid_argument, "the body must be a JSON object");
  auto key = required_string(*body, "provider_config_key");
  if (!key) return fail(ctx, key.error());
  auto integration = find_integration(services, *key);
  if (!integration) return fail(ctx, integration.error());

  store::Connection connection;
  connection.provider_config_key = *key;
  connection.provider = (*integration)->provider;
  if (body->contains("connection_id")) {
    auto id = required_string(*body, "connection_id");
    if (!id) return fail(ctx, id.error());
    if (auto valid = check_connection_id(*id, "\"connection_id\""); !valid) {
      return fail(ctx, valid.error());
    }
    connection.connection_id = *id;
  } else {
    // As Nango does: a connection registered without an id gets a generated one.
    connection.connection_id = uuid_v4();
  }
  auto credentials = auth::normalize_credentials(**integration, body->value("credentials", json()));
  if (!credentials) return fail(ctx, credentials.error());
  connection.credentials = std::move(*credentials);
  auto config = optional_object(*body, "connection_config");
  if (!config) return fail(ctx, config.error());
  connection.connection_config = std::move(*config);
  auto metadata = optional_object(*body, "metadata");
  if (!metadata) return fail(ctx, metadata.error());
  connection.metadata = std::move(*metadata);

  // The row id is the creation event's identity: fixed here so the event can name it.
  connection.id = uuid_v4();
  std::vector<store::OutboxEvent> created_events;
  if (services.events) {
    created_events = services.events->make(events::ConnectionEventKind::created, connection, 1);
  }
  auto created = services.store->create_connection(std::move(connection), created_events);
  if (!created) return fail(ctx, created.error());
  return http::json_response(http::StatusCode::created, connection_full_view(*created, true),
                             ctx.request.version());
}

http::Response list_connections(const Services& services, http::RequestContext& ctx) {
  store::ConnectionFilter filter;
  if (auto* id = ctx.query_param("connectionId"); id && !id->empty()) filter.connection_id = *id;
  auto limit = parse_count(ctx, "limit", 100);
  if (!limit) return fail(ctx, limit.error());
  auto page = parse_count(ctx, "page", 0);
  if (!page) return fail(ctx, page.error());
  // integrationId may list several keys, comma-separated.
  std::vector<std::optional<std::string>> integrations;
  if (auto* ids = ctx.query_param("integrationId"); ids && !ids->empty()) {
    for (auto& id : split(*ids, ',')) integrations.emplace_back(std::string(trim(id)));
  } else {
    integrations.emplace_back(std::nullopt);
  }
  json rows = json::array();
  for (auto& integration : integrations) {
    filter.provider_config_key = integration;
    auto found = services.store->list_connections(filter);
    if (!found) return fail(ctx, found.error());
    for (auto& c : *found) rows.push_back(connection_list_view(c));
  }
  // Pages are cut after merging so several integrations page as one list.
  json page_rows = json::array();
  const std::size_t start = *page * *limit;
  for (std::size_t i = start; i < rows.size() && i < start + *limit; ++i) page_rows.push_back(rows[i]);
  return http::json_response(http::StatusCode::ok, {{"connections", page_rows}}, ctx.request.version());
}

Result<store::ConnectionKey> key_from_path(http::RequestContext& ctx) {
  const std::string* integration = ctx.query_param("provider_config_key");
  if (!integration || integration->empty()) {
    return Error{Errc::invalid_argument, "the provider_config_key query parameter is required"};
  }
  return store::ConnectionKey{*integration, ctx.path_params.at("id")};
}

// GET /connections/{id}: getConnection and getToken expect tokens that work, so the
// OAuth 2 tokens are renewed when they expire within the integration's refresh margin, or
// whenever force_refresh=true. 424 when the provider refuses the renewal (the connection is
// then marked in `errors`), 502/504 when its token endpoint cannot be reached.
boost::asio::awaitable<http::Response> get_connection(std::shared_ptr<const Services> services,
                                                      http::RequestContext& ctx) {
  auto key = key_from_path(ctx);
  if (!key) co_return fail(ctx, key.error());
  if (auto integration = find_integration(*services, key->provider_config_key); !integration) {
    co_return fail(ctx, integration.error());
  }
  const std::string* force = ctx.query_param("force_refresh");
  const bool force_refresh = force && *force == "true";
  auto usable = co_await services->credentials->usable_connection(*key, force_refresh);
  if (!usable) co_return fail(ctx, usable.error());
  store::ConnectionUpdate touch;
  touch.last_fetched_at = std::chrono::system_clock::now();
  store::Store& store = *services->store;
  auto connection = co_await services->blocking->run(
      [&store, &key, &touch] { return store.update_connection(*key, touch); });
  if (!connection) co_return fail(ctx, connection.error());
  const std::string* refresh = ctx.query_param("refresh_token");
  const bool include_refresh_token = refresh && *refresh == "true";
  co_return http::json_response(http::StatusCode::ok,
                                connection_full_view(*connection, include_refresh_token),
                                ctx.request.version());
}

http::Response write_metadata(const Services& services, http::RequestContext& ctx, bool merge) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  if (!body->is_object()) return fail(ctx, Errc::invalid_argument, "the body must be a JSON object");
  auto key = required_string(*body, "provider_config_key");
  if (!key) return fail(ctx, key.error());
  if (auto integration = find_integration(services, *key); !integration) {
    return fail(ctx, integration.error());
  }
  if (!body->contains("metadata") || !(*body)["metadata"].is_object()) {
    return fail(ctx, Errc::invalid_argument, "\"metadata\" is required and must be a JSON object");
  }
  std::vector<std::string> ids;
  const json& id_field = body->value("connection_id", json());
  if (id_field.is_string() && !id_field.get<std::string>().empty()) {
    ids.push_back(id_field.get<std::string>());
  } else if (id_field.is_array() && !id_field.empty()) {
    for (const auto& id : id_field) {
      if (!id.is_string()) {
        return fail(ctx, Errc::invalid_argument, "\"connection_id\" entries must be strings");
      }
      ids.push_back(id.get<std::string>());
    }
  } else {
    return fail(ctx, Errc::invalid_argument,
                "\"connection_id\" is required: a string or a non-empty array of strings");
  }
  if (auto written = services.store->set_metadata(*key, ids, (*body)["metadata"], merge); !written) {
    return fail(ctx, written.error());
  }
  return http::json_response(http::StatusCode::ok, *body, ctx.request.version());
}

}  // namespace

void register_connections(http::Router& router, std::shared_ptr<const Services> services) {
  auto route = [&](http::Verb verb, std::string pattern, SyncHandler handler) {
    router.add(verb, std::move(pattern),
               require_backend_access(services, make_handler(services, std::move(handler))));
  };
  // Literal paths first: /connections/metadata must not match /connections/{id}.
  route(http::Verb::post, "/connections/metadata",
        [](const Services& s, http::RequestContext& ctx) { return write_metadata(s, ctx, false); });
  route(http::Verb::patch, "/connections/metadata",
        [](const Services& s, http::RequestContext& ctx) { return write_metadata(s, ctx, true); });
  // client_credentials integrations may omit credentials: Ferry fetches the tokens.
  router.add(http::Verb::post, "/connections",
             require_backend_access(services, with_client_credentials(
                                              services, make_handler(services, create_connection))));
  route(http::Verb::get, "/connections", list_connections);
  router.add(http::Verb::get, "/connections/{id}",
             require_backend_access(services, [services](http::RequestContext& ctx) {
               return get_connection(services, ctx);
             }));
  auto delete_route = [services](
                          http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    auto key = key_from_path(ctx);
    if (!key) co_return fail(ctx, key.error());
    co_return co_await delete_connection(services, ctx, std::move(*key));
  };
  router.add(http::Verb::delete_, "/connections/{id}",
             require_backend_access(services, std::move(delete_route)));
}

}  // namespace ferry::api
