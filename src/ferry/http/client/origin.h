#pragma once

#include <cstdint>
#include <string>

namespace ferry::http {

// Where an upstream connection goes: scheme, host and port. Connections are pooled per
// origin, so two requests share a connection only when all three match.
struct Origin {
  bool tls = false;        // https
  std::string host;        // as in the URL (no brackets for IPv6)
  std::uint16_t port = 0;  // effective port (80/443 when the URL had none)

  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }
  auto operator<=>(const Origin&) const = default;
};

}  // namespace ferry::http
