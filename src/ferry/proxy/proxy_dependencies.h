#pragma once

#include <cstddef>
#include <memory>

#include "ferry/proxy/prepared_integration.h"
#include "ferry/proxy/quota_pauses.h"

namespace ferry::http {
class Exchange;
}
namespace ferry::store {
class ActivityWriter;
}
namespace ferry::auth {
class CredentialSource;
}

namespace ferry::proxy {

// What a proxy call needs, built once by the app. All members are thread-safe.
struct ProxyDependencies {
  std::shared_ptr<const PreparedProject> project;
  std::shared_ptr<http::Exchange> exchange;  // the upstream engine
  std::shared_ptr<auth::CredentialSource> credentials;
  std::shared_ptr<store::ActivityWriter> activity;  // null: no activity log
  // Request bodies up to this size are buffered, so an attempt can be repeated (stale
  // pooled connection, retries); larger or chunked bodies stream and are sent once.
  std::size_t replayable_body_bytes = 8 * 1024 * 1024;
  // Spent quotas seen in upstream answers (DESIGN.md §5); null: no proactive pause.
  std::shared_ptr<QuotaBoard> quota_pauses = std::make_shared<QuotaBoard>();
};

}  // namespace ferry::proxy
