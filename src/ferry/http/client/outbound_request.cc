#include "ferry/http/client/outbound_request.h"

#include <array>

namespace ferry::http {

std::string_view OutboundRequest::method_string() const {
  if (!method_name.empty()) return method_name;
  auto name = bhttp::to_string(method);
  return {name.data(), name.size()};
}

bool is_idempotent(std::string_view method) {
  static constexpr std::array<std::string_view, 6> kIdempotent = {"GET", "HEAD", "OPTIONS",
                                                                  "PUT", "DELETE", "TRACE"};
  for (auto m : kIdempotent) {
    if (method == m) return true;
  }
  return false;
}

}  // namespace ferry::http
