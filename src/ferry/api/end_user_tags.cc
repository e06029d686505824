#include "ferry/api/end_user_tags.h"

#include <string_view>

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kReserved[] = {"end_user_id", "end_user_email",
                                          "end_user_display_name", "organization_id"};

bool is_reserved(std::string_view key) {
  for (std::string_view reserved : kReserved) {
    if (key == reserved) return true;
  }
  return false;
}

// A non-empty string at `path` of `object`, or null.
json text_at(const json& object, const json::json_pointer& path) {
  if (!object.is_object() || !object.contains(path)) return nullptr;
  const json& value = object.at(path);
  return value.is_string() && !value.get_ref<const std::string&>().empty() ? value : json();
}

}  // namespace

json connection_tags(const json& tags, const json& end_user) {
  json out = tags.is_object() ? tags : json::object();
  const std::pair<std::string_view, json::json_pointer> derived[] = {
      {"end_user_id", json::json_pointer("/id")},
      {"end_user_email", json::json_pointer("/email")},
      {"end_user_display_name", json::json_pointer("/display_name")},
      {"organization_id", json::json_pointer("/organization/id")}};
  for (const auto& [key, path] : derived) {
    json value = text_at(end_user, path);
    if (!value.is_null() && !out.contains(key)) out[std::string(key)] = std::move(value);
  }
  return out;
}

json without_end_user_tags(const json& tags) {
  json out = json::object();
  if (!tags.is_object()) return out;
  for (const auto& [key, value] : tags.items()) {
    if (!is_reserved(key)) out[key] = value;
  }
  return out;
}

}  // namespace ferry::api
