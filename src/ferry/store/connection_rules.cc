#include "ferry/store/connection_rules.h"

#include <tuple>
#include <utility>

#include "ferry/core/crypto.h"
#include "ferry/store/row_codec.h"

namespace ferry::store {
namespace {

using nlohmann::json;

Status check_shape(const json& value, bool want_object, std::string_view field) {
  if (want_object ? value.is_object() : value.is_array()) return ok();
  return Error{Errc::invalid_argument,
               std::string(field) + " must be a JSON " + (want_object ? "object" : "array")};
}

}  // namespace

Status check_connection_shapes(const Connection& c) {
  for (auto [value, object, name] :
       {std::tuple{&c.connection_config, true, "connection_config"},
        std::tuple{&c.metadata, true, "metadata"}, std::tuple{&c.errors, false, "errors"},
        std::tuple{&c.tags, true, "tags"}}) {
    if (auto shaped = check_shape(*value, object, name); !shaped) return shaped;
  }
  if (!c.end_user.is_null() && !c.end_user.is_object()) {
    return Error{Errc::invalid_argument, "end_user must be null or a JSON object"};
  }
  return ok();
}

Result<Connection> prepare_new_connection(Connection c, TimePoint now) {
  if (c.provider_config_key.empty() || c.connection_id.empty()) {
    return Error{Errc::invalid_argument, "provider_config_key and connection_id are required"};
  }
  if (auto shaped = check_connection_shapes(c); !shaped) return std::move(shaped).error();
  now = truncate_millis(now);
  if (c.id.empty()) c.id = uuid_v4();
  c.created_at = c.created_at == TimePoint{} ? now : truncate_millis(c.created_at);
  c.updated_at = c.updated_at == TimePoint{} ? now : truncate_millis(c.updated_at);
  for (auto* t : {&c.last_fetched_at, &c.tokens_issued_at, &c.grant_started_at}) {
    if (*t) *t = truncate_millis(**t);
  }
  if (c.version == 0) c.version = 1;
  return c;
}

void apply_update(const ConnectionUpdate& update, Connection& c) {
  if (update.credentials) c.credentials = *update.credentials;
  if (update.connection_config) c.connection_config = *update.connection_config;
  if (update.metadata) c.metadata = *update.metadata;
  if (update.errors) c.errors = *update.errors;
  if (update.end_user) c.end_user = *update.end_user;
  if (update.tags) c.tags = *update.tags;
  if (update.last_fetched_at) c.last_fetched_at = truncate_millis(*update.last_fetched_at);
  if (update.tokens_issued_at) c.tokens_issued_at = truncate_millis(*update.tokens_issued_at);
  if (update.grant_started_at) c.grant_started_at = truncate_millis(*update.grant_started_at);
}

Error version_conflict(const ConnectionKey& key, std::int64_t stored_version,
                       std::int64_t expected_version) {
  return Error{Errc::conflict, describe(key) + " changed meanwhile (version " +
                                   std::to_string(stored_version) + ", expected " +
                                   std::to_string(expected_version) + ")"};
}

Error connection_not_found(const ConnectionKey& key) {
  return Error{Errc::not_found, describe(key) + " does not exist"};
}

Error connection_exists(const ConnectionKey& key) {
  return Error{Errc::conflict, describe(key) + " already exists"};
}

Status check_metadata_request(const json& metadata,
                              const std::vector<std::string>& connection_ids) {
  if (!metadata.is_object()) {
    return Error{Errc::invalid_argument, "metadata must be a JSON object"};
  }
  if (connection_ids.empty()) {
    return Error{Errc::invalid_argument, "set_metadata needs at least one connection id"};
  }
  return ok();
}

json next_metadata(const json& current, const json& metadata, bool merge) {
  if (!merge) return metadata;
  json next = current.is_object() ? current : json::object();
  for (const auto& [name, value] : metadata.items()) next[name] = value;
  return next;
}

}  // namespace ferry::store
