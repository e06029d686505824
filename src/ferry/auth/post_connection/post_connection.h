#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::http {
class Exchange;
}
namespace ferry::store {
class Store;
class ActivityWriter;
}  // namespace ferry::store

namespace ferry::events {
class ConnectionEvents;
}

namespace ferry::auth::post_connection {

// Named steps that run right after a connection got new credentials through the connect
// flow (integrations.yaml `post_connection: [...]`), to learn provider-side configuration
// the user never typed, such as Jira's cloudId.

// What a step reads. Borrowed for the duration of the step.
struct StepInput {
  const config::Integration& integration;
  const store::Connection& connection;  // with the credentials just obtained
  const nlohmann::json& params;         // the connect-time params (e.g. subdomain)
};

// What a step learned.
struct StepOutput {
  nlohmann::json connection_config = nlohmann::json::object();  // merged, top-level keys
  std::vector<std::string> warnings;  // worth an activity-log line, not a failure
  // Top-level keys to remove from the connection's config (a choice the step undid).
  std::vector<std::string> removed_keys;
};

// A step: calls the provider and returns what to merge. Suspends. Its errors are reported,
// never fatal to the connection.
using Step = std::function<boost::asio::awaitable<Result<StepOutput>>(http::Exchange&,
                                                                       const StepInput&)>;

// The step called `name`, or nullptr. Known: "atlassian_accessible_resources".
const Step* find_step(std::string_view name);

struct Dependencies {
  http::Exchange& client;
  store::Store& store;     // called on `blocking` only
  BlockingPool& blocking;  // runs the store's work off the I/O thread
  store::ActivityWriter* activity;  // may be null (no activity log)
  // Tells the backend about connections created or overridden; may be null (no events).
  const events::ConnectionEvents* events = nullptr;
};

// Runs the integration's post_connection steps in order on `connection` (already stored).
// Each step's connection_config is merged into the connection's and written to the store.
// A failing or unknown step leaves the connection usable as it is and writes an
// activity-log warning naming the step and the reason; the next steps still run. Returns
// the connection as stored afterwards. Suspends; never fails.
boost::asio::awaitable<store::Connection> run_post_connection(Dependencies deps,
                                                              const config::Integration& integration,
                                                              store::Connection connection,
                                                              nlohmann::json params);

}  // namespace ferry::auth::post_connection
