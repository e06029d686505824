#pragma once

#include <memory>

#include "ferry/config/model.h"

namespace ferry::actions {
class ActionRegistry;
}

namespace ferry::app {

// `ferry serve`: opens the store, registers the routes, listens on the configured address,
// prints the listening address, the OAuth callback URL and (in dev) the generated keys, then
// serves until SIGINT or SIGTERM and stops gracefully (requests in flight finish).
// Returns the process exit code: 0 after a clean stop, 1 when start-up failed (the reason is
// logged as one line).
// `action_registry`, when given, is the registry the server runs actions from: an embedding
// program registers its native actions there first (docs/embedding.md). Null: a registry of
// the project folder's action files.
int serve(std::shared_ptr<const config::Project> project,
          std::shared_ptr<actions::ActionRegistry> action_registry = nullptr);

}  // namespace ferry::app
