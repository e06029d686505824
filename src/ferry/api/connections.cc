#include "ferry/api/connections.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/awaitable.hpp>
#include <fmt/format.h>

#include "ferry/api/authorization.h"
#include "ferry/api/client_credentials.h"
#include "ferry/api/connection_deletion.h"
#include "ferry/api/connection_import.h"
#include "ferry/api/connection_list_query.h"
#include "ferry/api/connection_patch.h"
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

http::Response list_connections(const Services& services, http::RequestContext& ctx) {
  auto filter = parse_connection_list_query(ctx.query);
  if (!filter) return fail(ctx, filter.error());
  auto found = services.store->list_connections(*filter);
  if (!found) return fail(ctx, found.error());
  json rows = json::array();
  for (const auto& c : *found) rows.push_back(connection_list_view(c));
  return http::json_response(http::StatusCode::ok, {{"connections", std::move(rows)}},
                             ctx.request.version());
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
                                              services, make_handler(services, import_connection))));
  route(http::Verb::get, "/connections", list_connections);
  route(http::Verb::patch, "/connections/{id}", patch_connection);
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
