#pragma once

#include <memory>

#include "ferry/auth/credential_source.h"

namespace ferry::store {
class Store;
}

namespace ferry::auth {

// Credentials exactly as stored (through the store's in-memory cache, so a proxied call
// normally touches no database). `force_refresh` has nothing to refresh here.
class StoredCredentials : public CredentialSource {
 public:
  explicit StoredCredentials(std::shared_ptr<store::Store> store) : store_(std::move(store)) {}
  boost::asio::awaitable<Result<store::Connection>> usable_connection(
      const store::ConnectionKey& key, bool force_refresh) override;

 private:
  std::shared_ptr<store::Store> store_;
};

}  // namespace ferry::auth
