// Fuzzes the proxy's URL guard: BaseUrl::parse and UpstreamTarget::build (base URL +
// caller's endpoint + query), then with_params.
//
// Input: "endpoint\nquery\nbase URL"; the query and base are optional (default base:
// Jira's API gateway with a path, so joining below a base path is exercised).
// Oracle: no crash or sanitizer report, and every target the guard accepts
//   - is the base's origin followed by a path below the base path,
//   - re-parses as an absolute URL with the base's host, port and no userinfo or fragment,
//   - has no "." or ".." path segment once percent-decoded,
// also after with_params() appended a parameter made of the fuzzed text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/core/url_parse.h"
#include "ferry/proxy/upstream_target.h"
#include "fuzz_check.h"

namespace {

using ferry::proxy::BaseUrl;
using ferry::proxy::UpstreamTarget;

void check_stays_on_base(const BaseUrl& base, const UpstreamTarget& target) {
  const std::string& url = target.url();
  FERRY_FUZZ_CHECK(url.starts_with(base.origin() + base.path()), "URL leaves the base path");
  FERRY_FUZZ_CHECK(url.substr(base.origin().size()) == target.target(),
                   "URL is not origin + target");
  auto parsed = ferry::parse_absolute_uri(url);
  FERRY_FUZZ_CHECK(parsed.has_value(), "an accepted URL does not parse");
  FERRY_FUZZ_CHECK(!parsed->has_userinfo() && !parsed->has_fragment(),
                   "an accepted URL has userinfo or a fragment");
  FERRY_FUZZ_CHECK(parsed->encoded_authority() == target.host_header(),
                   "an accepted URL names another host or port");
  FERRY_FUZZ_CHECK(parsed->encoded_path().starts_with(base.path()),
                   "an accepted URL's path is not below the base path");
  for (const auto segment : parsed->segments()) {
    FERRY_FUZZ_CHECK(segment != "." && segment != "..", "an accepted URL has a dot segment");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto [endpoint, rest] = ferry::fuzz::split_once(input, '\n');
  const auto [query, base_text] = ferry::fuzz::split_once(rest, '\n');

  auto base = BaseUrl::parse(base_text.empty() ? "https://api.atlassian.com/ex/jira/" : base_text);
  if (!base) return 0;
  FERRY_FUZZ_CHECK(base->path().starts_with('/') && base->path().ends_with('/'),
                   "a base path does not start and end with '/'");

  auto target = UpstreamTarget::build(*base, endpoint, query);
  if (!target) return 0;
  check_stays_on_base(*base, *target);
  // The integration's params are added after the guard: they must not move the target.
  check_stays_on_base(*base, target->with_params({{std::string(query), std::string(endpoint)}}));
  return 0;
}
