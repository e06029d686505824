#include "ferry/auth/post_connection/post_connection.h"

#include <fmt/format.h>

#include <map>

#include "ferry/auth/post_connection/atlassian_accessible_resources.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::auth::post_connection {
namespace {

using nlohmann::json;

const std::map<std::string, Step, std::less<>>& steps() {
  static const std::map<std::string, Step, std::less<>> table = {
      {"atlassian_accessible_resources", atlassian_accessible_resources},
  };
  return table;
}

void warn(const Dependencies& deps, const store::Connection& connection, const std::string& text) {
  const std::string message = observe::redact(text);
  observe::warn("[{}] [connection: {}] {}", connection.provider_config_key,
                connection.connection_id, message);
  if (!deps.activity) return;
  store::ActivityEntry entry;
  entry.level = "warn";
  entry.type = "auth";
  entry.provider_config_key = connection.provider_config_key;
  entry.connection_id = connection.connection_id;
  entry.message = message;
  deps.activity->record(std::move(entry));
}

// Applies one step's result to the stored connection; the row stays as it was on failure.
Result<store::Connection> merge_config(store::Store& store, const store::Connection& connection,
                                       const StepOutput& learned) {
  json config = connection.connection_config.is_object() ? connection.connection_config
                                                         : json::object();
  for (const std::string& key : learned.removed_keys) config.erase(key);
  for (const auto& [key, value] : learned.connection_config.items()) config[key] = value;
  store::ConnectionUpdate update;
  update.connection_config = std::move(config);
  return store.update_connection(connection.key(), update);
}

}  // namespace

const Step* find_step(std::string_view name) {
  auto it = steps().find(name);
  return it == steps().end() ? nullptr : &it->second;
}

boost::asio::awaitable<store::Connection> run_post_connection(Dependencies deps,
                                                              const config::Integration& integration,
                                                              store::Connection connection,
                                                              json params) {
  for (const std::string& name : integration.post_connection) {
    const Step* step = find_step(name);
    if (!step) {
      warn(deps, connection, fmt::format("unknown post-connection step {}", name));
      continue;
    }
    const StepInput input{integration, connection, params};
    auto output = co_await (*step)(deps.client, input);
    if (!output) {
      warn(deps, connection,
           fmt::format("post-connection step {} failed; the connection works but lacks what the "
                       "step provides: {}",
                       name, output.error().message));
      continue;
    }
    for (const std::string& warning : output->warnings) {
      warn(deps, connection, fmt::format("post-connection step {}: {}", name, warning));
    }
    auto stored = co_await deps.blocking.run(
        [&] { return merge_config(deps.store, connection, *output); });
    if (!stored) {
      warn(deps, connection,
           fmt::format("post-connection step {} could not save its result: {}", name,
                       stored.error().message));
      continue;
    }
    connection = std::move(*stored);
  }
  co_return connection;
}

}  // namespace ferry::auth::post_connection
