#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/http/client/origin.h"

namespace ferry::http {

// Outbound proxy settings from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lower-case names too).
// https upstreams go through HTTPS_PROXY, http upstreams through HTTP_PROXY, both as a
// CONNECT tunnel. NO_PROXY is a comma-separated list of host names, domain suffixes
// (".example.com" or "example.com" matching its subdomains), IP addresses, optional ":port",
// or "*" for everything. Immutable once built.
class ProxySettings {
 public:
  // Reads the process environment. Errc::invalid_argument when a proxy URL is malformed.
  static Result<ProxySettings> from_environment();
  // For tests: the three variables' values ("" = unset).
  static Result<ProxySettings> from_values(std::string_view https_proxy, std::string_view http_proxy,
                                           std::string_view no_proxy);

  // The proxy to tunnel through for `target`, or nullopt to connect directly.
  std::optional<Origin> proxy_for(const Origin& target) const;

 private:
  std::optional<Origin> https_proxy_;
  std::optional<Origin> http_proxy_;
  std::vector<std::string> no_proxy_;  // lower-case entries
};

}  // namespace ferry::http
