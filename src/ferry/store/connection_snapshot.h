#pragma once

#include <memory>

#include "ferry/store/types.h"

namespace ferry::store {

// An immutable in-memory copy of a connection row, as the cache and the refresher hand it
// around. While any copy of the returned pointer lives, every credential value it holds
// (access and refresh tokens, OAuth 1 token and secret, API key, password) is registered
// with the redactor (observe/redact.h), so no log line, activity entry or error body can
// show it; the last release unregisters them.
std::shared_ptr<const Connection> make_snapshot(Connection row);

}  // namespace ferry::store
