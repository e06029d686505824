#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::auth {

// Where the proxy, actions and GET /connections/{id} get a connection whose credentials are
// ready to use: an immutable snapshot (a write replaces it, never edits it), shared without
// a copy. The plain implementation returns it as stored; the OAuth 2 refresher renews
// tokens that are due first, so callers never change when refresh logic evolves.
// Implementations are thread-safe.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;

  // The connection for `key` with usable credentials. `force_refresh` asks for new tokens
  // even when the current ones are not due (after an upstream 401). Suspends.
  // Errc::not_found for an unknown connection; Errc::upstream_auth_failed when the provider
  // rejects a refresh; Errc::upstream_unreachable when the token endpoint cannot be reached.
  virtual boost::asio::awaitable<Result<std::shared_ptr<const store::Connection>>>
  usable_connection(const store::ConnectionKey& key, bool force_refresh) = 0;
};

}  // namespace ferry::auth
