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
//
// Stores `grant` (stored_credentials() form) for (integration, connection_id): creates the
// connection with `connection_config`, or, when it already exists (a reconnect), replaces its
// credentials, merges `connection_config` into its config (top-level keys) and clears its
// errors, since new consent is what fixes an auth error. Then runs
// post_connection::run_post_connection with `params`. Suspends.
// Errors are the store's (Errc::internal, Errc::unavailable...); a failing post-connection
// step is not an error (see post_connection.h).
boost::asio::awaitable<Result<store::Connection>> store_grant(
    post_connection::Dependencies deps, const config::Integration& integration,
    const std::string& connection_id, const TokenGrant& grant, nlohmann::json connection_config,
    nlohmann::json params);

}  // namespace ferry::auth::oauth2
