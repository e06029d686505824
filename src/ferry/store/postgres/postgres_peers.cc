#include "ferry/store/postgres/postgres_peers.h"

#include <utility>
#include <vector>

#include "ferry/observe/log.h"
#include "ferry/store/postgres/peer_announcements.h"

namespace ferry::store::pg {

PostgresPeers::PostgresPeers(std::shared_ptr<const Target> target, ListenerOptions options,
                             std::string instance_id, Pool& queries, PeerHandlers handlers)
    : instance_id_(std::move(instance_id)), queries_(queries), handlers_(std::move(handlers)) {
  std::vector<std::string> channels{std::string(kConnectionChangesChannel),
                                    std::string(kFlowResultsChannel)};
  const auto first_session_wait =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.connect.connect_timeout) +
      std::chrono::seconds(1);
  listener_ = std::make_unique<NotificationListener>(
      std::move(target), std::move(options), std::move(channels), [this] { listening(); },
      [this](const Notification& notification) { received(notification); });
  if (!wait_until_listening(first_session_wait)) {
    observe::warn("not yet listening to the other instances' announcements after {} ms; "
                  "still trying",
                  first_session_wait.count());
  }
}

void PostgresPeers::listening() {
  handlers_.all_connections_changed();
  {
    std::lock_guard lock(listening_mu_);
    listened_ = true;
  }
  listening_cv_.notify_all();
}

bool PostgresPeers::wait_until_listening(std::chrono::milliseconds wait) {
  std::unique_lock lock(listening_mu_);
  return listening_cv_.wait_for(lock, wait, [this] { return listened_; });
}

void PostgresPeers::received(const Notification& notification) {
  if (notification.channel == kConnectionChangesChannel) {
    ConnectionChange change = decode_connection_change(notification.payload);
    if (change.instance == instance_id_) return;
    if (change.key) {
      handlers_.connection_changed(*change.key);
    } else {
      handlers_.all_connections_changed();
    }
    return;
  }
  if (notification.channel == kFlowResultsChannel) {
    auto result = decode_flow_result(notification.payload);
    if (!result) {
      observe::warn("ignored a malformed OAuth flow announcement ({} bytes)",
                    notification.payload.size());
      return;
    }
    if (result->instance == instance_id_) return;
    handlers_.flow_result(result->ws_client_id, result->message);
  }
}

Status PostgresPeers::announce_flow_result(const std::string& ws_client_id,
                                           const nlohmann::json& message) {
  auto payload = encode_flow_result({instance_id_, ws_client_id, message});
  if (!payload) return std::move(payload).error();
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  return (*db)->run("SELECT pg_notify($1, $2)",
                    {text(kFlowResultsChannel), text(*payload)},
                    "announce an OAuth flow result");
}

}  // namespace ferry::store::pg
