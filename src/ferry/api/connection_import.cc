#include "ferry/api/connection_import.h"

#include <fmt/format.h>

#include <string_view>

#include "ferry/api/connect_session_request.h"
#include "ferry/api/connection_id.h"
#include "ferry/api/connection_view.h"
#include "ferry/api/end_user_tags.h"
#include "ferry/api/handler_support.h"
#include "ferry/auth/credentials.h"
#include "ferry/core/crypto.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/json.h"
#include "ferry/store/connection_rules.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kFields[] = {"provider_config_key", "connection_id", "credentials",
                                        "connection_config", "metadata", "end_user", "tags"};

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

Status only_known_fields(const json& body) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (std::string_view field : kFields) known = known || key == field;
    if (known) continue;
    if (key == "webhook_url_override") {
      if (value.is_null()) continue;
      return bad("\"webhook_url_override\" is not supported: Ferry sends every webhook to the "
                 "webhook_url of ferry.yaml");
    }
    return bad(fmt::format("\"{}\" is not a known field (expected provider_config_key, "
                           "connection_id, credentials, connection_config, metadata, end_user, "
                           "tags)",
                           key.substr(0, 64)));
  }
  return ok();
}

// The object at `field`, nullopt when absent or null.
Result<std::optional<json>> optional_object(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::optional<json>();
  if (!body[field].is_object()) return bad(fmt::format("\"{}\" must be a JSON object", field));
  return std::optional<json>(body[field]);
}

// What the body asks for, checked before anything is written.
struct ImportRequest {
  store::Connection connection;  // as it would be created
  bool has_metadata = false;
  bool has_end_user = false;
  bool has_tags = false;
};

Result<ImportRequest> read_request(const Services& services, const json& body) {
  if (!body.is_object()) return bad("the body must be a JSON object");
  if (auto known = only_known_fields(body); !known) return known.error();
  auto key = required_string(body, "provider_config_key");
  if (!key) return std::move(key).error();
  auto integration = find_integration(services, *key);
  if (!integration) return std::move(integration).error();

  ImportRequest request;
  store::Connection& connection = request.connection;
  connection.provider_config_key = *key;
  connection.provider = (*integration)->provider;
  if (body.contains("connection_id")) {
    auto id = required_string(body, "connection_id");
    if (!id) return std::move(id).error();
    if (auto valid = check_connection_id(*id, "\"connection_id\""); !valid) return valid.error();
    connection.connection_id = *id;
  } else {
    // As Nango does: a connection registered without an id gets a generated one.
    connection.connection_id = uuid_v4();
  }
  auto credentials = auth::normalize_credentials(**integration, body.value("credentials", json()));
  if (!credentials) return std::move(credentials).error();
  connection.credentials = std::move(*credentials);
  auto config = optional_object(body, "connection_config");
  if (!config) return std::move(config).error();
  connection.connection_config = config->value_or(json::object());
  auto metadata = optional_object(body, "metadata");
  if (!metadata) return std::move(metadata).error();
  request.has_metadata = metadata->has_value();
  connection.metadata = metadata->value_or(json::object());
  if (body.contains("end_user") && !body["end_user"].is_null()) {
    if (auto checked = check_end_user_input(body["end_user"]); !checked) return checked.error();
    request.has_end_user = true;
    connection.end_user = end_user_record(json{{"end_user", body["end_user"]}});
  }
  json tags = json::object();
  if (body.contains("tags") && !body["tags"].is_null()) {
    if (auto checked = check_tag_object(body["tags"], "tags"); !checked) return checked.error();
    request.has_tags = true;
    tags = body["tags"];
  }
  connection.tags = connection_tags(tags, connection.end_user);
  return request;
}

// The update that overrides `old` with what `request` brings.
store::ConnectionUpdate override_update(const ImportRequest& request,
                                        const store::Connection& old) {
  const store::Connection& given = request.connection;
  store::ConnectionUpdate update;
  update.credentials = given.credentials;
  json merged = old.connection_config.is_object() ? old.connection_config : json::object();
  for (const auto& [key, value] : given.connection_config.items()) merged[key] = value;
  update.connection_config = std::move(merged);
  if (request.has_metadata) update.metadata = given.metadata;
  if (request.has_end_user) update.end_user = given.end_user;
  if (request.has_tags || request.has_end_user) {
    // A new end user's reserved keys replace the old one's, whatever else is kept.
    const json base = request.has_tags ? given.tags : without_end_user_tags(old.tags);
    update.tags = connection_tags(base, request.has_end_user ? given.end_user : old.end_user);
  }
  update.errors = json::array();
  update.expected_version = old.version;
  return update;
}

}  // namespace

http::Response import_connection(const Services& services, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  auto request = read_request(services, *body);
  if (!request) return fail(ctx, request.error());
  const store::ConnectionKey key = request->connection.key();

  // Create, or override what exists. A connection deleted between the two is created
  // again; one changed between the two is read again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = services.store->find_connection(key);
    if (!existing && existing.error().code != Errc::not_found) {
      return fail(ctx, existing.error());
    }
    if (!existing) {
      store::Connection connection = request->connection;
      // The row id is the creation event's identity: fixed here so the event can name it.
      connection.id = uuid_v4();
      std::vector<store::OutboxEvent> events;
      if (services.events) {
        events = services.events->make(events::ConnectionEventKind::created, connection, 1);
      }
      auto created = services.store->create_connection(std::move(connection), events);
      if (created) {
        return http::json_response(http::StatusCode::created,
                                   connection_full_view(*created, true), ctx.request.version());
      }
      if (created.error().code == Errc::conflict) continue;  // created meanwhile
      return fail(ctx, created.error());
    }
    store::ConnectionUpdate update = override_update(*request, *existing);
    if (services.events) {
      // The event describes the row as this write leaves it.
      store::Connection after = *existing;
      store::apply_update(update, after);
      update.events = services.events->make(events::ConnectionEventKind::overridden, after,
                                            existing->version + 1);
    }
    auto updated = services.store->update_connection(key, update);
    if (updated) {
      return http::json_response(http::StatusCode::ok, connection_full_view(*updated, true),
                                 ctx.request.version());
    }
    if (updated.error().code != Errc::conflict && updated.error().code != Errc::not_found) {
      return fail(ctx, updated.error());
    }
  }
  return fail(ctx, Errc::conflict,
              "the connection kept changing while it was being imported; try again");
}

}  // namespace ferry::api
