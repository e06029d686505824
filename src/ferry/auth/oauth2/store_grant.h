#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "ferry/auth/oauth2/token_client.h"
#include "ferry/auth/post_connection/post_connection.h"
#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::auth::oauth2 {

// The last step of every way Ferry obtains OAuth 2 tokens for a connection (the connect
// flow's code exchange, client_credentials): the tokens become the connection's
// credentials and the integration's post-connection steps run.

// Which connection a grant is for, and what the flow that obtained it may do there.
struct GrantTarget {
  std::string connection_id;
  // True for a flow allowed to re-authorise an existing connection (a reconnect session);
  // otherwise the grant may only create the connection (DESIGN.md §4, binding).
  bool may_overwrite = false;
  // Stored on a new connection; on an overwrite they replace the stored ones when set
  // (end_user not null, tags not empty).
  nlohmann::json end_user = nullptr;
  nlohmann::json tags = nlohmann::json::object();
};

// Stores `grant` (stored_credentials() form) for (integration, target.connection_id):
// creates the connection with `connection_config`, end user and tags, or, when it already
// exists and target.may_overwrite, replaces its credentials, merges `connection_config` into
// its config (top-level keys) and clears its errors, since new consent is what fixes an auth
// error. Then runs post_connection::run_post_connection with `params`. Suspends.
// Errc::conflict when the connection exists and the target may not overwrite it; the check
// is the store's insert itself, so of two racing flows for a new connection one creates it
// and the other gets the conflict, and the stored credentials stay those of the first.
// Otherwise the store's errors (Errc::internal, Errc::unavailable...); a failing
// post-connection step is not an error (see post_connection.h).
boost::asio::awaitable<Result<store::Connection>> store_grant(
    post_connection::Dependencies deps, const config::Integration& integration,
    const GrantTarget& target, const TokenGrant& grant, nlohmann::json connection_config,
    nlohmann::json params);

// The same for credentials of any type issued at `issued_at` (an OAuth 1.0a grant).
boost::asio::awaitable<Result<store::Connection>> store_credentials(
    post_connection::Dependencies deps, const config::Integration& integration,
    const GrantTarget& target, store::Credentials credentials, TimePoint issued_at,
    nlohmann::json connection_config, nlohmann::json params);

}  // namespace ferry::auth::oauth2
