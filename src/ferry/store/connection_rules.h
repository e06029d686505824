#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {

// The parts of the Store contract (store.h) that do not depend on the backend: what a
// valid connection is, what create_connection fills in, how an update and a metadata
// merge apply. Both backends call these, so they accept and refuse the same things.
// Pure functions.

// ok(), or Errc::invalid_argument naming the first JSON field of `c` whose shape differs
// from what Connection documents.
Status check_connection_shapes(const Connection& c);

// `c` as create_connection stores it: both key parts present (else Errc::invalid_argument)
// and JSON shapes checked; an empty id becomes a fresh uuid, epoch created_at/updated_at
// become `now`, a zero version 1; times truncated to milliseconds.
Result<Connection> prepare_new_connection(Connection c, TimePoint now);

// Applies the set fields of `update` to `c` (last_fetched_at truncated to milliseconds).
// Leaves version, updated_at and the expected_version check to the caller.
void apply_update(const ConnectionUpdate& update, Connection& c);

// Errc::conflict for an update whose expected_version differs from `stored_version`.
Error version_conflict(const ConnectionKey& key, std::int64_t stored_version,
                       std::int64_t expected_version);

// Errc::not_found "<connection ...> does not exist".
Error connection_not_found(const ConnectionKey& key);

// Errc::conflict "<connection ...> already exists".
Error connection_exists(const ConnectionKey& key);

// ok(), or Errc::invalid_argument when set_metadata is asked for a non-object or for no
// connection at all.
Status check_metadata_request(const nlohmann::json& metadata,
                              const std::vector<std::string>& connection_ids);

// The metadata set_metadata writes over `current`: `metadata` itself, or with `merge`,
// `current` (an empty object when it is not one) with `metadata`'s top-level keys
// overwritten.
nlohmann::json next_metadata(const nlohmann::json& current, const nlohmann::json& metadata,
                             bool merge);

}  // namespace ferry::store
