#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/model.h"

namespace ferry::proxy {

// The last `max_segments` segments of the path of `target` ("/a/b?q" or "a/b"), read the
// way a lenient server might read them, so that no spelling of a deprecated endpoint slips
// past the match. In path order. The rules:
//   - the path ends at the first '?' or '#' (a query and a fragment are no part of it);
//   - every valid percent-escape is decoded, once: "%73earch" is "search", and "%2F" and
//     "%5C" separate segments like '/' and '\' do ("rest%2Fapi%2F3%2Fsearch" has four
//     segments). "%252F" decodes to the text "%2F", not to a separator: no server decodes
//     twice, and the URL guard refuses double encoding anyway. An invalid escape ("%zz")
//     stays as written;
//   - a segment's parameters are dropped: "search;jsessionid=1" is "search";
//   - empty segments vanish ("a//b/" is "a/b"), "." segments vanish, and ".." removes the
//     segment before it (RFC 3986 §5.2.4);
//   - segments compare byte for byte (paths are case-sensitive).
// The URL guard (upstream_target.h) refuses encoded slashes and dot segments before a call
// gets here; this function still reads them, so it is correct on its own. Linear in the
// length of `target`; holds at most `max_segments` segments, whatever the input.
std::vector<std::string> last_path_segments(std::string_view target, std::size_t max_segments);

// Every segment of the path of `target`, by the rules of last_path_segments().
std::vector<std::string> path_segments(std::string_view target);

// An integration's deprecated_endpoints, their paths split into segments once (at start).
// Immutable; safe to read from any thread. Refers to the entries it was built from: they
// must outlive it (the configuration does, in PreparedIntegration).
class DeprecatedEndpointMatcher {
 public:
  DeprecatedEndpointMatcher() = default;
  explicit DeprecatedEndpointMatcher(const std::vector<config::DeprecatedEndpoint>& entries);

  bool empty() const { return entries_.empty(); }

  // The first entry a `method` call to `target` reaches, or nullptr. `target` is the path
  // the call goes to, in any form (an endpoint with or without its base path, an
  // origin-form request target with a query); it reaches an entry when its last segments
  // equal all the segments of the entry's path: "ex/jira/<id>/rest/api/3/search?jql=x"
  // reaches "/rest/api/3/search", while ".../search/jql" and ".../searchx" do not. An
  // entry with methods matches only those (exactly: "get" is not GET); without, every
  // method.
  const config::DeprecatedEndpoint* match(std::string_view method, std::string_view target) const;

 private:
  struct Entry {
    const config::DeprecatedEndpoint* config;
    std::vector<std::string> segments;  // never empty
  };
  std::vector<Entry> entries_;
  std::size_t max_segments_ = 0;  // of any entry: the most a target needs read
};

// What a call to `entry` is told, one sentence naming the method and the listed path, the
// replacement and, in parentheses, who lists it and the note:
// "GET /rest/api/3/search was removed by the provider; use /rest/api/3/search/jql instead
// (jira:v0: Removed by Atlassian on 2025-08-01 (CHANGE-2046); answers 410 Gone.)".
std::string deprecated_endpoint_message(const config::DeprecatedEndpoint& entry,
                                        std::string_view method);

}  // namespace ferry::proxy
