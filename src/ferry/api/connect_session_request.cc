#include "ferry/api/connect_session_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTextBytes = 255;
constexpr std::size_t kMaxTags = 64;

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

Status only_known_fields(const json& object, std::string_view where,
                         std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string expected;
      for (std::string_view name : known) {
        expected += expected.empty() ? "" : ", ";
        expected += name;
      }
      return bad(fmt::format("{}{}\"{}\" is not a known field (expected {})", where,
                             where.empty() ? "" : ": ", key.substr(0, kMaxTextBytes), expected));
    }
  }
  return ok();
}

// A string of 1..255 bytes without control characters (they would forge log lines).
Status check_text(const json& value, const std::string& field) {
  if (!value.is_string()) return bad(field + " must be a string");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty()) return bad(field + " must not be empty");
  if (text.size() > kMaxTextBytes) {
    return bad(fmt::format("{} is longer than {} characters", field, kMaxTextBytes));
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return bad(field + " must not contain control characters");
  }
  return ok();
}

Status check_optional_text(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return ok();
  return check_text(*it, where + "." + key);
}

Status check_tags(const json& tags, const std::string& field) {
  if (!tags.is_object()) return bad(field + " must be an object of strings");
  if (tags.size() > kMaxTags) return bad(fmt::format("{} has more than {} tags", field, kMaxTags));
  for (const auto& [name, value] : tags.items()) {
    if (auto checked = check_text(name, field + " names"); !checked) return checked;
    if (auto checked = check_text(value, field + "." + name); !checked) return checked;
  }
  return ok();
}

Status check_end_user(const json& user) {
  if (!user.is_object()) return bad("end_user must be an object with a non-empty string id");
  if (auto known = only_known_fields(user, "end_user", {"id", "email", "display_name", "tags"});
      !known) {
    return known;
  }
  if (!user.contains("id")) return bad("end_user.id is required");
  if (auto checked = check_text(user["id"], "end_user.id"); !checked) return checked;
  if (auto checked = check_optional_text(user, "email", "end_user"); !checked) return checked;
  if (user.contains("email") && user["email"].is_string() &&
      user["email"].get_ref<const std::string&>().find('@') == std::string::npos) {
    return bad("end_user.email must be an email address");
  }
  if (auto checked = check_optional_text(user, "display_name", "end_user"); !checked) {
    return checked;
  }
  if (user.contains("tags") && !user["tags"].is_null()) return check_tags(user["tags"], "end_user.tags");
  return ok();
}

Status check_organization(const json& org) {
  if (!org.is_object()) return bad("organization must be an object with a non-empty string id");
  if (auto known = only_known_fields(org, "organization", {"id", "display_name"}); !known) {
    return known;
  }
  if (!org.contains("id")) return bad("organization.id is required");
  if (auto checked = check_text(org["id"], "organization.id"); !checked) return checked;
  return check_optional_text(org, "display_name", "organization");
}

Status check_integration(const json& key, const std::string& field,
                         const IntegrationExists& exists) {
  if (auto checked = check_text(key, field); !checked) return checked;
  if (!exists(key.get<std::string>())) {
    return bad(fmt::format("{} names an unknown integration \"{}\"", field,
                           key.get<std::string>()));
  }
  return ok();
}

Status check_defaults_entry(const std::string& key, const json& defaults) {
  const std::string where = "integrations_config_defaults." + key;
  if (!defaults.is_object()) return bad(where + " must be an object");
  if (auto known = only_known_fields(defaults, where,
                                     {"user_scopes", "authorization_params", "connection_config"});
      !known) {
    return known;
  }
  if (defaults.contains("user_scopes")) {
    const json& scopes = defaults["user_scopes"];
    bool good = scopes.is_string() || scopes.is_array();
    if (scopes.is_array()) {
      for (const json& scope : scopes) good = good && scope.is_string();
    }
    if (!good) return bad(where + ".user_scopes must be a string or an array of strings");
  }
  if (defaults.contains("authorization_params")) {
    const json& params = defaults["authorization_params"];
    if (!params.is_object()) return bad(where + ".authorization_params must be an object");
    for (const auto& [name, value] : params.items()) {
      if (!value.is_string()) {
        return bad(fmt::format("{}.authorization_params.{} must be a string", where, name));
      }
    }
  }
  if (defaults.contains("connection_config") && !defaults["connection_config"].is_object()) {
    return bad(where + ".connection_config must be an object");
  }
  return ok();
}

Status check_config_defaults(const json& body, const IntegrationExists& exists) {
  auto it = body.find("integrations_config_defaults");
  if (it == body.end() || it->is_null()) return ok();
  if (!it->is_object()) return bad("integrations_config_defaults must be an object");
  for (const auto& [key, defaults] : it->items()) {
    if (!exists(key)) {
      return bad(fmt::format("integrations_config_defaults names an unknown integration \"{}\"",
                             key.substr(0, kMaxTextBytes)));
    }
    if (auto checked = check_defaults_entry(key, defaults); !checked) return checked;
  }
  return ok();
}

// The fields both bodies share: organization, tags, overrides, webhook_url_override and
// the config defaults.
Status check_common(const json& body, const IntegrationExists& exists) {
  if (body.contains("organization") && !body["organization"].is_null()) {
    if (auto checked = check_organization(body["organization"]); !checked) return checked;
  }
  if (body.contains("tags") && !body["tags"].is_null()) {
    if (auto checked = check_tags(body["tags"], "tags"); !checked) return checked;
  }
  if (body.contains("overrides") && !body["overrides"].is_null() &&
      !body["overrides"].is_object()) {
    return bad("overrides must be an object");
  }
  if (body.contains("webhook_url_override") && !body["webhook_url_override"].is_null() &&
      !body["webhook_url_override"].is_string()) {
    return bad("webhook_url_override must be a string");
  }
  return check_config_defaults(body, exists);
}

Result<std::vector<std::string>> allowed_integrations(const json& body,
                                                      const IntegrationExists& exists) {
  std::vector<std::string> keys;
  auto it = body.find("allowed_integrations");
  if (it == body.end() || it->is_null()) return keys;
  if (!it->is_array()) return bad("allowed_integrations must be an array of integration keys");
  if (it->empty()) {
    return bad("allowed_integrations must name at least one integration (leave it out to "
               "allow every integration)");
  }
  for (const json& key : *it) {
    if (auto checked = check_integration(key, "allowed_integrations", exists); !checked) {
      return checked.error();
    }
    keys.push_back(key.get<std::string>());
  }
  return keys;
}

}  // namespace

Result<ConnectSessionRequest> parse_connect_session(const json& body,
                                                    const IntegrationExists& exists) {
  if (!body.is_object()) return bad("the body must be a JSON object");
  if (auto known = only_known_fields(
          body, "", {"end_user", "organization", "allowed_integrations",
                     "integrations_config_defaults", "tags", "overrides",
                     "webhook_url_override", "connection_id"});
      !known) {
    return known.error();
  }
  const bool has_tags = body.contains("tags") && body["tags"].is_object() && !body["tags"].empty();
  if (!body.contains("end_user") || body["end_user"].is_null()) {
    // Nango: end_user may be left out only when the session is identified by tags.
    if (!has_tags) return bad("end_user is required: an object with a non-empty string id");
  } else if (auto checked = check_end_user(body["end_user"]); !checked) {
    return checked.error();
  }
  if (auto checked = check_common(body, exists); !checked) return checked.error();
  auto allowed = allowed_integrations(body, exists);
  if (!allowed) return std::move(allowed).error();
  ConnectSessionRequest request;
  if (body.contains("connection_id") && !body["connection_id"].is_null()) {
    if (auto checked = check_text(body["connection_id"], "connection_id"); !checked) {
      return checked.error();
    }
    request.connection_id = body["connection_id"].get<std::string>();
  }
  request.allowed_integrations = std::move(*allowed);
  request.body = body;
  return request;
}

Result<ConnectSessionRequest> parse_reconnect_session(const json& body,
                                                      const IntegrationExists& exists) {
  if (!body.is_object()) return bad("the body must be a JSON object");
  if (auto known = only_known_fields(
          body, "", {"connection_id", "integration_id", "end_user", "organization",
                     "integrations_config_defaults", "tags", "overrides",
                     "webhook_url_override"});
      !known) {
    return known.error();
  }
  for (const char* field : {"connection_id", "integration_id"}) {
    if (!body.contains(field)) return bad(fmt::format("{} is required", field));
  }
  if (auto checked = check_text(body["connection_id"], "connection_id"); !checked) {
    return checked.error();
  }
  if (auto checked = check_integration(body["integration_id"], "integration_id", exists);
      !checked) {
    return checked.error();
  }
  if (body.contains("end_user") && !body["end_user"].is_null()) {
    if (auto checked = check_end_user(body["end_user"]); !checked) return checked.error();
  }
  if (auto checked = check_common(body, exists); !checked) return checked.error();
  ConnectSessionRequest request;
  request.allowed_integrations = {body["integration_id"].get<std::string>()};
  request.connection_id = body["connection_id"].get<std::string>();
  request.body = body;
  return request;
}

json end_user_record(const json& body) {
  if (!body.is_object() || !body.contains("end_user") || !body["end_user"].is_object()) {
    return nullptr;
  }
  const json& user = body["end_user"];
  auto field = [](const json& object, const char* key) {
    auto it = object.find(key);
    return it == object.end() ? json() : *it;
  };
  json organization = nullptr;
  if (body.contains("organization") && body["organization"].is_object()) {
    organization = {{"id", field(body["organization"], "id")},
                    {"display_name", field(body["organization"], "display_name")}};
  }
  return {{"id", field(user, "id")},
          {"email", field(user, "email")},
          {"display_name", field(user, "display_name")},
          {"tags", field(user, "tags")},
          {"organization", organization}};
}

Status check_end_user_input(const json& end_user) { return check_end_user(end_user); }

Status check_tag_object(const json& tags, const std::string& field) {
  return check_tags(tags, field);
}

}  // namespace ferry::api
