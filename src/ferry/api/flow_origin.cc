#include "ferry/api/flow_origin.h"

#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"

namespace ferry::api {
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

Result<std::string> requested_origin(const std::string* origin_param, std::string_view referer) {
  if (origin_param) {
    auto origin = http_origin(*origin_param);
    auto parsed = ferry::parse_uri(*origin_param);
    const bool only_origin = parsed && (parsed->encoded_path().empty() ||
                                        parsed->encoded_path() == "/") &&
                             !parsed->has_query() && !parsed->has_fragment();
    if (!origin || !only_origin) {
      return Error{Errc::invalid_argument,
                   "the origin parameter must be the http(s) origin of the page that starts "
                   "the flow, like https://app.example.com"};
    }
    return *origin;
  }
  if (!referer.empty()) {
    if (auto origin = http_origin(referer)) return *origin;
  }
  return std::string();
}

}  // namespace ferry::api
