#include "ferry/api/connection_patch.h"

#include <fmt/format.h>

#include "ferry/api/connect_session_request.h"
#include "ferry/api/end_user_tags.h"
#include "ferry/api/handler_support.h"
#include "ferry/http/json.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

struct Patch {
  std::optional<json> end_user;  // an end_user_record
  std::optional<json> tags;
};

Result<Patch> read_patch(const json& body) {
  if (!body.is_object()) return bad("the body must be a JSON object");
  Patch patch;
  for (const auto& [key, value] : body.items()) {
    if (key == "end_user") {
      if (value.is_null()) continue;
      if (auto checked = check_end_user_input(value); !checked) return checked.error();
      patch.end_user = end_user_record(json{{"end_user", value}});
    } else if (key == "tags") {
      if (value.is_null()) continue;
      if (auto checked = check_tag_object(value, "tags"); !checked) return checked.error();
      patch.tags = value;
    } else if (key == "webhook_url_override") {
      if (value.is_null()) continue;
      return bad("\"webhook_url_override\" is not supported: Ferry sends every webhook to the "
                 "webhook_url of ferry.yaml");
    } else {
      return bad(fmt::format("\"{}\" is not a known field (expected end_user, tags)",
                             key.substr(0, 64)));
    }
  }
  if (!patch.end_user && !patch.tags) return bad("the body must set end_user or tags");
  return patch;
}

store::ConnectionUpdate update_for(const Patch& patch, const store::Connection& old) {
  store::ConnectionUpdate update;
  json end_user = old.end_user;
  if (patch.end_user) {
    end_user = *patch.end_user;
    if (old.end_user.is_object()) end_user["organization"] = old.end_user.value("organization", json());
    update.end_user = end_user;
  }
  // A new end user's reserved keys replace the old one's, whatever else is kept.
  const json base = patch.tags ? *patch.tags : without_end_user_tags(old.tags);
  update.tags = connection_tags(base, end_user);
  update.expected_version = old.version;
  return update;
}

}  // namespace

http::Response patch_connection(const Services& services, http::RequestContext& ctx) {
  const std::string* integration = ctx.query_param("provider_config_key");
  if (!integration || integration->empty()) {
    return fail(ctx, Errc::invalid_argument,
                "the provider_config_key query parameter is required");
  }
  if (auto known = find_integration(services, *integration); !known) {
    return fail(ctx, known.error());
  }
  auto body = http::parse_json_body(ctx.request);
  if (!body) return fail(ctx, body.error());
  auto patch = read_patch(*body);
  if (!patch) return fail(ctx, patch.error());
  const store::ConnectionKey key{*integration, ctx.path_params.at("id")};
  // A write between the read and the update is read again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = services.store->find_connection(key);
    if (!existing) return fail(ctx, existing.error());
    auto updated = services.store->update_connection(key, update_for(*patch, *existing));
    if (updated) {
      return http::json_response(http::StatusCode::ok, {{"success", true}},
                                 ctx.request.version());
    }
    if (updated.error().code != Errc::conflict) return fail(ctx, updated.error());
  }
  return fail(ctx, Errc::conflict, "the connection kept changing while it was being patched; "
                                   "try again");
}

}  // namespace ferry::api
