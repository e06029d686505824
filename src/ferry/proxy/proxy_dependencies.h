#pragma once

#include <memory>

#include "ferry/config/model.h"
#include "ferry/proxy/quota_pauses.h"

namespace ferry::http {
class HttpClient;
}
namespace ferry::store {
class Store;
class ActivityWriter;
}  // namespace ferry::store
namespace ferry::auth {
class CredentialSource;
}

namespace ferry::proxy {

// What the proxy needs, built once by the app. All members are thread-safe.
struct ProxyDependencies {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<http::HttpClient> client;
  std::shared_ptr<auth::CredentialSource> credentials;
  std::shared_ptr<store::ActivityWriter> activity;
  // Request bodies up to this size are buffered, so an attempt can be repeated (stale
  // pooled connection, retries); larger or chunked bodies stream and are sent once.
  std::size_t replayable_body_bytes = 8 * 1024 * 1024;
  // Spent quotas seen in upstream answers, shared by every call (DESIGN.md §5).
  std::shared_ptr<QuotaPauses> quota_pauses = std::make_shared<QuotaPauses>();
};

}  // namespace ferry::proxy
