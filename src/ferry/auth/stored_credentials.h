#pragma once

#include <memory>

#include "ferry/auth/credential_source.h"

namespace ferry::store {
class ConnectionCache;
}

namespace ferry::auth {

// Credentials exactly as stored, from the connection cache (so a proxied call normally
// touches no database). `force_refresh` has nothing to refresh here.
class StoredCredentials : public CredentialSource {
 public:
  explicit StoredCredentials(std::shared_ptr<store::ConnectionCache> cache)
      : cache_(std::move(cache)) {}
  boost::asio::awaitable<Result<std::shared_ptr<const store::Connection>>> usable_connection(
      const store::ConnectionKey& key, bool force_refresh) override;

 private:
  std::shared_ptr<store::ConnectionCache> cache_;
};

}  // namespace ferry::auth
