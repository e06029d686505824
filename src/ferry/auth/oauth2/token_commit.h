#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/auth/oauth2/token_client.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {
class Store;
}
namespace ferry::events {
class ConnectionEvents;
}

namespace ferry::auth::oauth2 {

// The store half of a refresh (see refresher.h): short, synchronous steps taken while the
// caller holds the connection's refresh claim (Store::try_claim_refresh). Each re-reads the
// row past any cache and acts only if the stored tokens are still the ones the refresh
// started from; otherwise someone renewed first (an earlier holder, or a write of new
// credentials through the API), and its newer row is returned untouched. Writes use the
// re-read version as expected_version.

// The connection read from the database itself. list_connections is never served from the
// connection cache, so this sees what other processes committed. Errc::not_found when the
// connection is gone; any store error otherwise.
Result<store::Connection> read_fresh(store::Store& store, const store::ConnectionKey& key);

// True when both credentials objects hold the same access and refresh tokens.
bool same_tokens(const store::Credentials& a, const store::Credentials& b);

// `errors` without its {"type": "auth"} entries (a non-array becomes []).
nlohmann::json without_auth_errors(const nlohmann::json& errors);

struct Committed {
  store::Connection connection;  // as stored after the step
  bool ours = false;             // false: another holder changed the tokens first
};

// Stores `grant` as the credentials of `used`'s connection (keeping the old refresh token
// when the provider sent none, and its issue time as tokens_issued_at) and clears its auth
// errors; a connection that had them recovers, and `events` (may be null) says so in the
// same write. Errc::not_found when the connection was deleted meanwhile; Errc::unavailable
// when unrelated writes kept moving its version; any store error.
Result<Committed> commit_grant(store::Store& store, const store::Connection& used,
                               const TokenGrant& grant, const events::ConnectionEvents* events);

// Marks `used`'s connection as needing a reconnect: its auth errors are replaced by one
// {"type": "auth", "log_id": log_id, "message": message}. Credentials stay as they are.
// The first failure of a healthy connection is an event for `events` (may be null),
// written with it; later failures are not. Same errors as commit_grant.
Result<Committed> mark_auth_failure(store::Store& store, const store::Connection& used,
                                    const std::string& log_id, const std::string& message,
                                    const events::ConnectionEvents* events);

}  // namespace ferry::auth::oauth2
