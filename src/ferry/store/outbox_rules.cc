#include "ferry/store/outbox_rules.h"

namespace ferry::store {

Status check_outbox_events(const std::vector<OutboxEvent>& events) {
  for (const OutboxEvent& event : events) {
    // An unroutable delivery belongs to its integration only.
    const bool needs_connection = event.state != OutboxState::unroutable;
    if (event.id.empty() || event.key.provider_config_key.empty() ||
        (needs_connection && event.key.connection_id.empty()) || event.body.empty() ||
        event.type.empty()) {
      return Error{Errc::invalid_argument,
                   "an outbox event needs an id, a type, a connection and a body (event \"" +
                       event.id + "\" of " + describe(event.key) + ")"};
    }
    if (event.state != OutboxState::pending && event.state != OutboxState::unroutable) {
      return Error{Errc::invalid_argument, "an outbox event is written pending or unroutable "
                                           "(event \"" + event.id + "\")"};
    }
  }
  return ok();
}

Error outbox_event_not_found(std::string_view id) {
  return Error{Errc::not_found, "no webhook event " + std::string(id)};
}

Error outbox_lease_lost(std::string_view id, const std::string& worker) {
  return Error{Errc::conflict, "webhook event " + std::string(id) + " is no longer leased to " +
                                   worker};
}

Error outbox_event_unroutable(std::string_view id) {
  return Error{Errc::conflict,
               "webhook event " + std::string(id) +
                   " matched no connection when it arrived and cannot be sent; connect the "
                   "site and have the provider deliver again"};
}

Error outbox_event_pending(std::string_view id) {
  return Error{Errc::conflict,
               "webhook event " + std::string(id) + " is waiting to be sent already"};
}

}  // namespace ferry::store
