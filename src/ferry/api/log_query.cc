#include "ferry/api/log_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "ferry/core/clock.h"

namespace ferry::api {
namespace {

// A value quoted in an error message is cut here: a caller gets to see which value was
// wrong without having the server echo kilobytes.
constexpr std::size_t kQuotedBytes = 32;

std::string quoted(std::string_view value) {
  if (value.size() <= kQuotedBytes) return fmt::format("\"{}\"", value);
  return fmt::format("\"{}...\"", value.substr(0, kQuotedBytes));
}

// The first non-empty value of `name`, or nullptr.
const std::string* param(const std::multimap<std::string, std::string>& query,
                         const char* name) {
  auto it = query.find(name);
  return it == query.end() || it->second.empty() ? nullptr : &it->second;
}

// `text` as a non-negative integer that fits an int64, or nullopt.
std::optional<std::int64_t> to_non_negative(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

Error invalid(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

// Adds the classes of one `status` value ("4xx,5xx", "error") to `bits`.
Status add_status_classes(std::string_view value, unsigned& bits) {
  for (std::size_t start = 0;;) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string_view item = value.substr(start, comma - start);
    if (item == "error") {
      bits |= store::status_class_bit(0);
    } else if (item.size() == 3 && item[0] >= '1' && item[0] <= '5' &&
               (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X')) {
      bits |= store::status_class_bit(item[0] - '0');
    } else {
      return invalid(fmt::format(
          "query parameter status: {} is not a status class (expected 1xx to 5xx or error)",
          quoted(item)));
    }
    if (comma == value.size()) return ok();
    start = comma + 1;
  }
}

Result<std::optional<TimePoint>> parse_time(const std::multimap<std::string, std::string>& query,
                                            const char* name) {
  const std::string* text = param(query, name);
  if (!text) return std::optional<TimePoint>();
  auto time = parse_iso8601(*text);
  if (!time) {
    return invalid(fmt::format(
        "query parameter {} must be an ISO 8601 date-time such as 2026-11-29T20:00:00Z", name));
  }
  return std::optional<TimePoint>(*time);
}

}  // namespace

Result<store::ActivityFilter> parse_log_filter(
    const std::multimap<std::string, std::string>& query) {
  store::ActivityFilter filter;
  if (const std::string* id = param(query, "connection_id")) filter.connection_id = *id;
  if (const std::string* key = param(query, "integration")) filter.provider_config_key = *key;
  if (const std::string* type = param(query, "type")) {
    if (type->size() > kMaxLogTypeBytes) {
      return invalid(fmt::format("query parameter type must be at most {} bytes",
                                 kMaxLogTypeBytes));
    }
    filter.type = *type;
  }
  for (auto [it, end] = query.equal_range("status"); it != end; ++it) {
    if (it->second.empty()) continue;
    if (auto added = add_status_classes(it->second, filter.status_classes); !added) {
      return added.error();
    }
  }
  auto from = parse_time(query, "from");
  if (!from) return from.error();
  auto to = parse_time(query, "to");
  if (!to) return to.error();
  filter.from = *from;
  filter.to = *to;
  if (filter.from && filter.to && *filter.from >= *filter.to) {
    return invalid("query parameter from must be earlier than to");
  }
  if (const std::string* search = param(query, "search")) {
    if (search->size() > kMaxLogSearchBytes) {
      return invalid(fmt::format("query parameter search must be at most {} bytes",
                                 kMaxLogSearchBytes));
    }
    filter.search = *search;
  }
  if (const std::string* after = param(query, "after_id")) {
    filter.after_id = to_non_negative(*after);
    if (!filter.after_id) {
      return invalid("query parameter after_id must be a non-negative integer");
    }
  }
  filter.limit = 100;
  if (const std::string* limit = param(query, "limit")) {
    auto value = to_non_negative(*limit);
    if (!value) return invalid("query parameter limit must be a non-negative integer");
    // 0 would mean "no limit" to the store: here it is the most allowed.
    filter.limit = *value == 0 ? kMaxLogLimit
                               : std::min<std::size_t>(static_cast<std::size_t>(*value),
                                                       kMaxLogLimit);
  }
  return filter;
}

Result<std::int64_t> parse_log_id(std::string_view text) {
  auto id = to_non_negative(text);
  if (!id || *id == 0) return invalid("the log entry id must be a positive integer");
  return *id;
}

}  // namespace ferry::api
