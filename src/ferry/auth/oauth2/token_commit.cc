#include "ferry/auth/oauth2/token_commit.h"

#include <fmt/format.h>

#include <functional>

#include "ferry/events/connection_events.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

using nlohmann::json;

// Unrelated writes (metadata, last_fetched_at) bump the version too; a few re-reads absorb
// them. Past this, something is writing the row in a loop.
constexpr int kMaxVersionRetries = 5;

// Re-reads, checks the tokens, and writes `make_update`'s fields with an optimistic version
// check, retrying when only the version moved. The caller holds the key's refresh claim, so
// no other refresh writes the tokens meanwhile; other writes only move the version.
Result<Committed> write_if_unchanged(
    store::Store& store, const store::Connection& used,
    const std::function<store::ConnectionUpdate(const store::Connection&)>& make_update) {
  const store::ConnectionKey key = used.key();
  for (int attempt = 0; attempt < kMaxVersionRetries; ++attempt) {
    auto current = read_fresh(store, key);
    if (!current) return current.error();
    if (!same_tokens(current->credentials, used.credentials)) {
      return Committed{std::move(*current), false};
    }
    store::ConnectionUpdate update = make_update(*current);
    update.expected_version = current->version;
    auto written = store.update_connection(key, update);
    if (written) return Committed{std::move(*written), true};
    if (written.error().code != Errc::conflict) return written.error();
  }
  return Error{Errc::unavailable, fmt::format("{} kept changing while its tokens were being saved",
                                              store::describe(key))};
}

}  // namespace

Result<store::Connection> read_fresh(store::Store& store, const store::ConnectionKey& key) {
  store::ConnectionFilter filter;
  filter.provider_config_key = key.provider_config_key;
  filter.connection_id = key.connection_id;
  filter.limit = 1;
  auto rows = store.list_connections(filter);
  if (!rows) return rows.error();
  if (rows->empty()) {
    return Error{Errc::not_found, fmt::format("no {}", store::describe(key))};
  }
  return std::move(rows->front());
}

bool same_tokens(const store::Credentials& a, const store::Credentials& b) {
  return a.access_token == b.access_token && a.refresh_token == b.refresh_token;
}

json without_auth_errors(const json& errors) {
  json kept = json::array();
  if (!errors.is_array()) return kept;
  for (const auto& entry : errors) {
    if (entry.is_object() && entry.value("type", "") == "auth") continue;
    kept.push_back(entry);
  }
  return kept;
}

Result<Committed> commit_grant(store::Store& store, const store::Connection& used,
                               const TokenGrant& grant, const events::ConnectionEvents* events) {
  const std::string& previous_refresh = used.credentials.refresh_token;
  return write_if_unchanged(store, used, [&](const store::Connection& current) {
    store::ConnectionUpdate update;
    update.credentials = stored_credentials(grant, previous_refresh);
    update.tokens_issued_at = grant.issued_at;
    json cleared = without_auth_errors(current.errors);
    if (cleared != current.errors) update.errors = std::move(cleared);
    if (events && events::has_auth_error(current.errors)) {
      update.events = events->make(events::ConnectionEventKind::refresh_recovered, current,
                                   current.version + 1);
    }
    return update;
  });
}

Result<Committed> mark_auth_failure(store::Store& store, const store::Connection& used,
                                    const std::string& log_id, const std::string& message,
                                    const events::ConnectionEvents* events) {
  return write_if_unchanged(store, used, [&](const store::Connection& current) {
    store::ConnectionUpdate update;
    json errors = without_auth_errors(current.errors);
    errors.push_back({{"type", "auth"}, {"log_id", log_id}, {"message", message}});
    update.errors = std::move(errors);
    if (events && !events::has_auth_error(current.errors)) {
      update.events = events->make(events::ConnectionEventKind::refresh_failed, current,
                                   current.version + 1, message);
    }
    return update;
  });
}

}  // namespace ferry::auth::oauth2
