#include "ferry/auth/oauth2/store_grant.h"

#include "ferry/core/blocking_pool.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

Result<store::Connection> replace_credentials(store::Store& store, const store::Connection& old,
                                              const GrantTarget& target,
                                              const store::Credentials& credentials,
                                              const json& config) {
  json merged = old.connection_config.is_object() ? old.connection_config : json::object();
  for (const auto& [key, value] : config.items()) merged[key] = value;
  store::ConnectionUpdate update;
  update.credentials = credentials;
  update.connection_config = std::move(merged);
  update.errors = json::array();
  if (target.end_user.is_object()) update.end_user = target.end_user;
  if (target.tags.is_object() && !target.tags.empty()) update.tags = target.tags;
  return store.update_connection(old.key(), update);
}

Result<store::Connection> create(store::Store& store, const config::Integration& integration,
                                 const GrantTarget& target,
                                 const store::Credentials& credentials, const json& config) {
  store::Connection connection;
  connection.provider_config_key = integration.key;
  connection.connection_id = target.connection_id;
  connection.provider = integration.provider;
  connection.credentials = credentials;
  connection.connection_config = config;
  connection.end_user = target.end_user.is_object() ? target.end_user : json();
  connection.tags = target.tags.is_object() ? target.tags : json::object();
  return store.create_connection(std::move(connection));
}

// Create, or update what exists. A connection deleted between the two is created again.
Result<store::Connection> upsert(store::Store& store, const config::Integration& integration,
                                 const GrantTarget& target,
                                 const store::Credentials& credentials, const json& config) {
  const store::ConnectionKey key{integration.key, target.connection_id};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = store.find_connection(key);
    if (existing) {
      auto updated = replace_credentials(store, *existing, target, credentials, config);
      if (updated || updated.error().code != Errc::not_found) return updated;
      continue;
    }
    if (existing.error().code != Errc::not_found) return existing;
    auto created = create(store, integration, target, credentials, config);
    if (created || created.error().code != Errc::conflict) return created;
  }
  return Error{Errc::unavailable,
               "the connection changed concurrently while saving it; try connecting again"};
}

// Create only: the insert's unique key is the check, so no flow slips in between.
Result<store::Connection> create_only(store::Store& store, const config::Integration& integration,
                                      const GrantTarget& target,
                                      const store::Credentials& credentials, const json& config) {
  auto created = create(store, integration, target, credentials, config);
  if (created || created.error().code != Errc::conflict) return created;
  return Error{Errc::conflict,
               store::describe({integration.key, target.connection_id}) +
                   " already exists; its credentials were left unchanged: re-authorising an "
                   "existing connection takes a reconnect session (POST "
                   "/connect/sessions/reconnect)"};
}

}  // namespace

boost::asio::awaitable<Result<store::Connection>> store_grant(
    post_connection::Dependencies deps, const config::Integration& integration,
    const GrantTarget& target, const TokenGrant& grant, json connection_config, json params) {
  if (!connection_config.is_object()) connection_config = json::object();
  auto stored = co_await deps.blocking.run([&] {
    const store::Credentials credentials = stored_credentials(grant);
    return target.may_overwrite
               ? upsert(deps.store, integration, target, credentials, connection_config)
               : create_only(deps.store, integration, target, credentials, connection_config);
  });
  if (!stored) co_return stored.error();
  store::Connection connection = co_await post_connection::run_post_connection(
      deps, integration, std::move(*stored), std::move(params));
  co_return connection;
}

}  // namespace ferry::auth::oauth2
