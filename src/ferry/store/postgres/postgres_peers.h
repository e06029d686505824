#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "ferry/store/peers.h"
#include "ferry/store/postgres/notification_listener.h"
#include "ferry/store/postgres/pool.h"

namespace ferry::store::pg {

// The Peers of a PostgresStore: other instances' announcements arrive by LISTEN on a
// session of their own (NotificationListener), this instance's go out with pg_notify on
// the store's query pool.
//
// Connection changes are announced by the database itself (the connections table's
// trigger), tagged with the writing session's ferry.instance. Announcements tagged with
// `instance_id` (this instance's) are not reported: WriteThroughStore has already told the
// cache. Every (re)start of the listening session reports all_connections_changed, since
// what was announced while no one listened is gone.
//
// The constructor returns once the first session listens (or after `options`' connect
// timeout, if the database does not answer by then; the listener keeps trying): an instance
// that says it is ready must not miss a flow result addressed to its websocket clients.
class PostgresPeers final : public Peers {
 public:
  // `queries` must outlive this object.
  PostgresPeers(std::shared_ptr<const Target> target, ListenerOptions options,
                std::string instance_id, Pool& queries, PeerHandlers handlers);

  Status announce_flow_result(const std::string& ws_client_id,
                              const nlohmann::json& message) override;

  // Listening sessions started so far (tests).
  std::size_t listening_sessions() const { return listener_->sessions(); }

 private:
  void received(const Notification& notification);
  void listening();
  // True once a session listens; waits up to `wait` for it.
  bool wait_until_listening(std::chrono::milliseconds wait);

  const std::string instance_id_;
  Pool& queries_;
  const PeerHandlers handlers_;
  std::mutex listening_mu_;
  std::condition_variable listening_cv_;
  bool listened_ = false;
  std::unique_ptr<NotificationListener> listener_;  // last: calls into the members above
};

}  // namespace ferry::store::pg
