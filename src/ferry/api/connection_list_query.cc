#include "ferry/api/connection_list_query.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "ferry/core/strings.h"

namespace ferry::api {
namespace {

constexpr std::size_t kMaxValueBytes = 255;
constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 10000;
constexpr std::string_view kKnown =
    "connectionId, endUserId, userId, endUserOrganizationId, search, integrationId, "
    "tags[KEY], limit, page";

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

// What a parameter's name looks like in a message: at most 64 bytes, printable.
std::string shown(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 64)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out;
}

// 1..255 bytes without control characters (they would forge log lines).
Status check_value(std::string_view name, const std::string& value) {
  if (value.empty()) return bad(fmt::format("query parameter {} must not be empty", name));
  if (value.size() > kMaxValueBytes) {
    return bad(fmt::format("query parameter {} is longer than {} characters", name,
                           kMaxValueBytes));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return bad(fmt::format("query parameter {} must not contain control characters", name));
    }
  }
  return ok();
}

Result<std::size_t> count(std::string_view name, const std::string& text, std::size_t low,
                          std::size_t high) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return bad(fmt::format("query parameter {} must be an integer from {} to {}", name, low,
                           high));
  }
  return value;
}

// The KEY of `tags[KEY]`, or nullopt when `name` is not of that form.
std::optional<std::string> tag_key(const std::string& name) {
  constexpr std::string_view kOpen = "tags[";
  if (name.size() <= kOpen.size() + 1 || name.compare(0, kOpen.size(), kOpen) != 0 ||
      name.back() != ']') {
    return std::nullopt;
  }
  return name.substr(kOpen.size(), name.size() - kOpen.size() - 1);
}

}  // namespace

Result<store::ConnectionFilter> parse_connection_list_query(
    const std::multimap<std::string, std::string>& query) {
  store::ConnectionFilter filter;
  std::map<std::string, const std::string*> single;  // each scalar parameter, once
  for (const auto& [name, value] : query) {
    if (auto key = tag_key(name)) {
      const std::string where = "tags[" + shown(*key) + "]";
      if (auto checked = check_value(where, *key); !checked) return checked.error();
      if (auto checked = check_value(where, value); !checked) return checked.error();
      if (filter.tags.contains(*key)) {
        return bad(fmt::format("query parameter {} is given more than once", where));
      }
      if (filter.tags.size() == kMaxTags) {
        return bad(fmt::format("at most {} tags[KEY] parameters", kMaxTags));
      }
      filter.tags[*key] = value;
      continue;
    }
    static const char* const kScalars[] = {"connectionId", "endUserId", "userId",
                                           "endUserOrganizationId", "search", "integrationId",
                                           "limit", "page"};
    bool known = false;
    for (const char* scalar : kScalars) known = known || name == scalar;
    if (!known) {
      return bad(fmt::format("unknown query parameter \"{}\" (known: {})", shown(name), kKnown));
    }
    if (!single.emplace(name, &value).second) {
      return bad(fmt::format("query parameter {} is given more than once", name));
    }
    if (name != "limit" && name != "page") {
      if (auto checked = check_value(name, value); !checked) return checked.error();
    }
  }
  auto get = [&](const char* name) -> const std::string* {
    auto it = single.find(name);
    return it == single.end() ? nullptr : it->second;
  };
  if (auto* id = get("connectionId")) filter.connection_id = *id;
  const std::string* end_user = get("endUserId");
  if (const std::string* user = get("userId")) {
    if (end_user && *end_user != *user) {
      return bad("query parameters endUserId and userId name different end users");
    }
    end_user = user;
  }
  if (end_user) filter.end_user_id = *end_user;
  if (auto* org = get("endUserOrganizationId")) filter.end_user_organization_id = *org;
  if (auto* search = get("search")) filter.search = *search;
  if (auto* ids = get("integrationId")) {
    for (auto id : split(*ids, ',')) {
      const std::string key(trim(id));
      if (key.empty()) return bad("query parameter integrationId has an empty entry");
      filter.provider_config_keys.push_back(key);
    }
  }
  std::size_t limit = kDefaultLimit;
  if (auto* text = get("limit")) {
    auto parsed = count("limit", *text, 1, kMaxLimit);
    if (!parsed) return std::move(parsed).error();
    limit = *parsed;
  }
  std::size_t page = 0;
  if (auto* text = get("page")) {
    // A page past every connection is an empty page; the bound keeps page * limit small.
    auto parsed = count("page", *text, 0, 1'000'000);
    if (!parsed) return std::move(parsed).error();
    page = *parsed;
  }
  filter.limit = limit;
  filter.offset = page * limit;
  return filter;
}

}  // namespace ferry::api
