#include "ferry/auth/stored_credentials.h"

#include "ferry/store/store.h"

namespace ferry::auth {

boost::asio::awaitable<Result<store::Connection>> StoredCredentials::usable_connection(
    const store::ConnectionKey& key, bool /*force_refresh*/) {
  co_return store_->find_connection(key);
}

}  // namespace ferry::auth
