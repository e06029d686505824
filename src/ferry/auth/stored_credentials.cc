#include "ferry/auth/stored_credentials.h"

#include "ferry/store/connection_cache.h"

namespace ferry::auth {

boost::asio::awaitable<Result<std::shared_ptr<const store::Connection>>>
StoredCredentials::usable_connection(const store::ConnectionKey& key, bool /*force_refresh*/) {
  co_return co_await cache_->find(key);
}

}  // namespace ferry::auth
