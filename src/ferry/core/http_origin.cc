#include "ferry/core/http_origin.h"

#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"

namespace ferry {
namespace {

constexpr std::size_t kMaxOriginBytes = 2048;

}  // namespace

std::optional<std::string> http_origin(std::string_view url) {
  if (url.size() > kMaxOriginBytes * 4) return std::nullopt;
  auto parsed = ferry::parse_uri(url);
  if (!parsed) return std::nullopt;
  const std::string scheme = to_lower(parsed->scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  if (!parsed->has_authority() || parsed->has_userinfo()) return std::nullopt;
  // The encoded host keeps IPv6 brackets and can never hold a quote or a '<' raw.
  const std::string host = to_lower(parsed->encoded_host_and_port());
  if (parsed->encoded_host().empty() || host.size() > kMaxOriginBytes) return std::nullopt;
  if (parsed->has_port() && parsed->port().empty()) return std::nullopt;
  return scheme + "://" + host;
}

}  // namespace ferry
