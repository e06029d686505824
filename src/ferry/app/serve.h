#pragma once

#include <memory>

#include "ferry/config/model.h"

namespace ferry::app {

// `ferry serve`: opens the store, registers the routes, listens on the configured address,
// prints the listening address, the OAuth callback URL and (in dev) the generated keys, then
// serves until SIGINT or SIGTERM and stops gracefully (requests in flight finish).
// Returns the process exit code: 0 after a clean stop, 1 when start-up failed (the reason is
// logged as one line).
int serve(std::shared_ptr<const config::Project> project);

}  // namespace ferry::app
