#pragma once

#include <cstdint>
#include <string>

namespace ferry::http {

// Where an upstream connection goes: scheme, host, port, and whether the egress policy
// judges it. Connections are pooled per origin, so two requests share a connection only
// when all four match: a connection opened without the check is never handed to a request
// that needs it.
struct Origin {
  bool tls = false;        // https
  std::string host;        // as in the URL (no brackets for IPv6)
  std::uint16_t port = 0;  // effective port (80/443 when the URL had none)
  // True when the host came from a request or from connection data (a Base-Url-Override):
  // the connector then checks every resolved address with the egress policy before
  // connecting (core/egress_policy.h). False for hosts the operator configured.
  bool egress_checked = false;

  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }
  auto operator<=>(const Origin&) const = default;
};

}  // namespace ferry::http
