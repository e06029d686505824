#pragma once

// What both stores check and build the same way for the outbox (store/outbox.h).
#include <string>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// ok() when every event has an id, a key (its connection id may be empty for an unroutable
// one), a body, and the state pending or unroutable; else Errc::invalid_argument naming the
// first that lacks one.
Status check_outbox_events(const std::vector<OutboxEvent>& events);

// The columns outbox rows are read with, in this order, by both stores.
inline constexpr std::string_view kOutboxColumns =
    "seq, id, provider_config_key, connection_id, type, body, created_at, state, attempts, "
    "next_attempt_at, delivered_at, attempt_log";

// Errc::not_found for an unknown event id, and Errc::conflict for a lease that is no longer
// `worker`'s, a replay of a pending event or of an unroutable one.
Error outbox_event_not_found(std::string_view id);
Error outbox_lease_lost(std::string_view id, const std::string& worker);
Error outbox_event_pending(std::string_view id);
Error outbox_event_unroutable(std::string_view id);

}  // namespace ferry::store
