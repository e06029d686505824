#include "ferry/store/row_codec.h"

namespace ferry::store {

using std::chrono::milliseconds;

std::int64_t to_millis(TimePoint t) {
  return std::chrono::floor<milliseconds>(t).time_since_epoch().count();
}

TimePoint from_millis(std::int64_t ms) { return TimePoint(milliseconds(ms)); }

TimePoint truncate_millis(TimePoint t) { return from_millis(to_millis(t)); }

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<nlohmann::json> parse_json(std::string_view text, std::string_view what) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Error{Errc::storage_corrupt, std::string(what) + " is not valid JSON"};
  }
  return parsed;
}

}  // namespace ferry::store
