#include "ferry/auth/oauth2/store_grant.h"

#include "ferry/core/blocking_pool.h"
#include "ferry/core/crypto.h"
#include "ferry/events/connection_events.h"
#include "ferry/store/connection_rules.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

using events::ConnectionEventKind;

Result<store::Connection> replace_credentials(store::Store& store, const store::Connection& old,
                                              const GrantTarget& target,
                                              const store::Credentials& credentials,
                                              const json& config, TimePoint issued_at,
                                              const events::ConnectionEvents* events) {
  json merged = old.connection_config.is_object() ? old.connection_config : json::object();
  for (const auto& [key, value] : config.items()) merged[key] = value;
  store::ConnectionUpdate update;
  update.credentials = credentials;
  update.connection_config = std::move(merged);
  update.errors = json::array();
  if (target.end_user.is_object()) update.end_user = target.end_user;
  if (target.tags.is_object() && !target.tags.empty()) update.tags = target.tags;
  // A consent starts a new grant: keep-alive and grant-expiry warnings count from it.
  update.tokens_issued_at = issued_at;
  update.grant_started_at = issued_at;
  update.expected_version = old.version;
  if (events) {
    // The events describe the row as this write leaves it.
    store::Connection after = old;
    store::apply_update(update, after);
    update.events = events->make(ConnectionEventKind::overridden, after, old.version + 1);
    if (events::has_auth_error(old.errors)) {
      auto recovered =
          events->make(ConnectionEventKind::refresh_recovered, after, old.version + 1);
      update.events.insert(update.events.end(), recovered.begin(), recovered.end());
    }
  }
  return store.update_connection(old.key(), update);
}

Result<store::Connection> create(store::Store& store, const config::Integration& integration,
                                 const GrantTarget& target,
                                 const store::Credentials& credentials, const json& config,
                                 TimePoint issued_at, const events::ConnectionEvents* events) {
  store::Connection connection;
  connection.provider_config_key = integration.key;
  connection.connection_id = target.connection_id;
  connection.provider = integration.provider;
  connection.credentials = credentials;
  connection.connection_config = config;
  connection.end_user = target.end_user.is_object() ? target.end_user : json();
  connection.tags = target.tags.is_object() ? target.tags : json::object();
  connection.tokens_issued_at = issued_at;
  connection.grant_started_at = issued_at;
  // The row id is the event's identity: fixed here so the event can name it.
  connection.id = uuid_v4();
  std::vector<store::OutboxEvent> created;
  if (events) created = events->make(ConnectionEventKind::created, connection, 1);
  return store.create_connection(std::move(connection), created);
}

// Create, or update what exists. A connection deleted between the two is created again;
// one changed between the two is read again.
Result<store::Connection> upsert(store::Store& store, const config::Integration& integration,
                                 const GrantTarget& target,
                                 const store::Credentials& credentials, const json& config,
                                 TimePoint issued_at, const events::ConnectionEvents* events) {
  const store::ConnectionKey key{integration.key, target.connection_id};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = store.find_connection(key);
    if (existing) {
      auto updated = replace_credentials(store, *existing, target, credentials, config,
                                         issued_at, events);
      if (updated || (updated.error().code != Errc::not_found &&
                      updated.error().code != Errc::conflict)) {
        return updated;
      }
      continue;
    }
    if (existing.error().code != Errc::not_found) return existing;
    auto created = create(store, integration, target, credentials, config, issued_at, events);
    if (created || created.error().code != Errc::conflict) return created;
  }
  return Error{Errc::unavailable,
               "the connection changed concurrently while saving it; try connecting again"};
}

// Create only: the insert's unique key is the check, so no flow slips in between.
Result<store::Connection> create_only(store::Store& store, const config::Integration& integration,
                                      const GrantTarget& target,
                                      const store::Credentials& credentials, const json& config,
                                      TimePoint issued_at,
                                      const events::ConnectionEvents* events) {
  auto created = create(store, integration, target, credentials, config, issued_at, events);
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
  co_return co_await store_credentials(deps, integration, target, stored_credentials(grant),
                                       grant.issued_at, std::move(connection_config),
                                       std::move(params));
}

boost::asio::awaitable<Result<store::Connection>> store_credentials(
    post_connection::Dependencies deps, const config::Integration& integration,
    const GrantTarget& target, store::Credentials credentials, TimePoint issued_at,
    json connection_config, json params) {
  if (!connection_config.is_object()) connection_config = json::object();
  auto stored = co_await deps.blocking.run([&] {
    return target.may_overwrite
               ? upsert(deps.store, integration, target, credentials, connection_config,
                        issued_at, deps.events)
               : create_only(deps.store, integration, target, credentials, connection_config,
                             issued_at, deps.events);
  });
  if (!stored) co_return stored.error();
  store::Connection connection = co_await post_connection::run_post_connection(
      deps, integration, std::move(*stored), std::move(params));
  co_return connection;
}

}  // namespace ferry::auth::oauth2
