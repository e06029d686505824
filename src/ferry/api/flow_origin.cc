#include "ferry/api/flow_origin.h"

#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"

namespace ferry::api {

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
