#include "ferry/auth/oauth2/store_grant.h"

#include "ferry/core/blocking_pool.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

Result<store::Connection> replace_credentials(store::Store& store, const store::Connection& old,
                                              const store::Credentials& credentials,
                                              const json& config) {
  json merged = old.connection_config.is_object() ? old.connection_config : json::object();
  for (const auto& [key, value] : config.items()) merged[key] = value;
  store::ConnectionUpdate update;
  update.credentials = credentials;
  update.connection_config = std::move(merged);
  update.errors = json::array();
  return store.update_connection(old.key(), update);
}

// Create, or update what exists. A connection deleted between the two is created again.
Result<store::Connection> upsert(store::Store& store, const config::Integration& integration,
                                 const std::string& connection_id,
                                 const store::Credentials& credentials, const json& config) {
  const store::ConnectionKey key{integration.key, connection_id};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = store.find_connection(key);
    if (existing) {
      auto updated = replace_credentials(store, *existing, credentials, config);
      if (updated || updated.error().code != Errc::not_found) return updated;
      continue;
    }
    if (existing.error().code != Errc::not_found) return existing;
    store::Connection connection;
    connection.provider_config_key = integration.key;
    connection.connection_id = connection_id;
    connection.provider = integration.provider;
    connection.credentials = credentials;
    connection.connection_config = config;
    auto created = store.create_connection(std::move(connection));
    if (created || created.error().code != Errc::conflict) return created;
  }
  return Error{Errc::unavailable,
               "the connection changed concurrently while saving it; try connecting again"};
}

}  // namespace

boost::asio::awaitable<Result<store::Connection>> store_grant(
    post_connection::Dependencies deps, const config::Integration& integration,
    const std::string& connection_id, const TokenGrant& grant, json connection_config,
    json params) {
  if (!connection_config.is_object()) connection_config = json::object();
  auto stored = co_await deps.blocking.run([&] {
    return upsert(deps.store, integration, connection_id, stored_credentials(grant),
                  connection_config);
  });
  if (!stored) co_return stored.error();
  store::Connection connection = co_await post_connection::run_post_connection(
      deps, integration, std::move(*stored), std::move(params));
  co_return connection;
}

}  // namespace ferry::auth::oauth2
