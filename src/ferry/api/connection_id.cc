#include "ferry/api/connection_id.h"

#include <algorithm>
#include <string>

namespace ferry::api {

Status check_connection_id(std::string_view id, std::string_view field) {
  if (id.empty()) {
    return Error{Errc::invalid_argument, std::string(field) + " must not be empty"};
  }
  if (id.size() > kMaxConnectionIdBytes) {
    return Error{Errc::invalid_argument, std::string(field) + " is longer than " +
                                             std::to_string(kMaxConnectionIdBytes) + " bytes"};
  }
  const bool has_control = std::any_of(id.begin(), id.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
  if (has_control) {
    return Error{Errc::invalid_argument,
                 std::string(field) + " must not contain control characters"};
  }
  return ok();
}

}  // namespace ferry::api
