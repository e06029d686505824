#pragma once

#include <boost/asio/awaitable.hpp>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::auth {

// Where the proxy (and later actions) get a connection whose credentials are ready to use.
// The plain implementation returns them as stored; the OAuth 2 refresher wraps it to
// refresh tokens that are due, so callers never change when refresh logic evolves.
// Implementations are thread-safe.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;

  // The connection for `key` with usable credentials. `force_refresh` asks for new tokens
  // even when the current ones are not due (after an upstream 401). Suspends.
  // Errc::not_found for an unknown connection; Errc::upstream_auth_failed when the provider
  // rejects a refresh; Errc::upstream_unreachable when the token endpoint cannot be reached.
  virtual boost::asio::awaitable<Result<store::Connection>> usable_connection(
      const store::ConnectionKey& key, bool force_refresh) = 0;
};

}  // namespace ferry::auth
