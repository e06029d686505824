#include "ferry/api/flow_results.h"

#include <boost/asio/post.hpp>
#include <cctype>
#include <memory>

#include "ferry/api/websocket.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/observe/log.h"
#include "ferry/store/peers.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

// WebsocketHub ids are uuid_v4(): 36 characters of hex digits and dashes.
bool is_websocket_id(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

void deliver_flow_result(const Services& services, const std::string& ws_client_id,
                         const nlohmann::json& message) {
  if (ws_client_id.empty()) return;
  if (services.websockets && services.websockets->notify(ws_client_id, message)) return;
  if (!services.peers || !services.blocking || !is_websocket_id(ws_client_id)) return;
  // The peers announce through the store's connections: the store is kept alive with them
  // (members go in reverse order: the peers first) however late the pool runs this.
  struct Announcement {
    std::shared_ptr<store::Store> store;
    std::shared_ptr<store::Peers> peers;
    std::string ws_client_id;
    nlohmann::json message;
    void operator()() const {
      auto announced = peers->announce_flow_result(ws_client_id, message);
      if (!announced) {
        observe::warn("could not pass an OAuth flow result to the other instances: {}",
                      announced.error().message);
      }
    }
  };
  boost::asio::post(services.blocking->executor(),
                    Announcement{services.store, services.peers, ws_client_id, message});
}

}  // namespace ferry::api
