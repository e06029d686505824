#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::proxy {

// An integration's base URL (`requests.base_url`, or a caller's Base-Url-Override), checked
// and split: http or https, a host, no userinfo, no query, no fragment. Immutable value;
// freely copied between threads.
class BaseUrl {
 public:
  // The base URL in `text`, e.g. "https://api.atlassian.com/" or
  // "https://app.asana.com/api/1.0". Errc::invalid_argument when it is not an absolute
  // http(s) URL, has userinfo ("user:pass@"), a query, a fragment, an empty or
  // percent-encoded host, a port outside 1..65535, or a '.'/'..' path segment. The message
  // never repeats `text` (it may hold a password).
  static Result<BaseUrl> parse(std::string_view text);

  const std::string& scheme() const { return scheme_; }  // "http" | "https"
  const std::string& host() const { return host_; }      // lower-case; IPv6 in brackets
  std::uint16_t port() const { return port_; }           // effective: 80/443 when absent
  const std::string& path() const { return path_; }      // encoded; starts and ends with '/'
  // "scheme://host" plus ":port" when the port is not the scheme's default.
  const std::string& origin() const { return origin_; }
  bool is_https() const { return scheme_ == "https"; }

 private:
  BaseUrl() = default;
  std::string scheme_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string path_;
  std::string origin_;
};

// A URL proven to stay on the integration's base URL: same scheme, host and port, and a
// path below the base path. build() is the only way to make one, so holders never
// re-check. Immutable value; freely copied between threads.
//
// The guard (DESIGN.md §3, "Security rule") rejects, with Errc::invalid_argument and a
// message that names the problem but never repeats the input, an endpoint that:
//   - is empty, or starts with "//", "\" or "/\";
//   - has a ':' in its first segment: "https:", "HTTPS:", "javascript:" and any other
//     "scheme:" prefix. A ':' in a later segment ("rest/api/3/issue/PROJ-1:foo",
//     "v4/spreadsheets/ID/values:batchGet") is fine; a first segment that needs a colon
//     must write it as %3A;
//   - contains '\', '@', '#', '?', a space, a control or a non-ASCII byte raw;
//   - contains %2F, %5C, %40 (any case), a percent-encoded control byte (%00-%1F, %7F),
//     double encoding (%25 followed by two hex digits), invalid percent-encoding ("%zz"),
//     or percent-encoded bytes that are not valid UTF-8 (overlong forms such as %C0%AE);
//   - has a '.' or '..' segment, raw or encoded (%2E), also before a ';' ("..;");
//   - is anything else Boost.URL refuses as a path.
// A single leading '/' is dropped before joining. Empty segments inside the endpoint
// ("a//b") and a trailing '/' are kept as sent.
//
// The query must be a valid RFC 3986 query with no raw control byte, space, '#' or
// non-ASCII byte; it is kept exactly as sent (encoded control bytes such as %0A are data
// and pass).
class UpstreamTarget {
 public:
  // base.path() + endpoint (exactly one '/' between them) + "?" + query when the query is
  // not empty. `endpoint` is the path as received after "/proxy/", still percent-encoded;
  // `query` is the raw query string without '?'. Errc::invalid_argument as described above.
  static Result<UpstreamTarget> build(const BaseUrl& base, std::string_view endpoint,
                                      std::string_view query);

  // This target with `params` appended to the query in order ("&" after an existing
  // query, else "?"), each name and value percent-encoded by Boost.URL so that everything
  // but unreserved characters (RFC 3986 §2.3) is escaped: no value can add a parameter
  // or change the path. Names already present are not replaced.
  UpstreamTarget with_params(const std::vector<std::pair<std::string, std::string>>& params) const;

  // The absolute URL: origin + target().
  const std::string& url() const { return url_; }
  // Origin-form request target (RFC 9112 §3.2.1): encoded path plus "?query".
  const std::string& target() const { return target_; }
  // The Host header value (RFC 9110 §7.2): host, plus ":port" when not the default.
  const std::string& host_header() const { return host_header_; }

 private:
  UpstreamTarget(std::string target, std::string url, std::string host_header);
  std::string target_;
  std::string url_;
  std::string host_header_;
};

}  // namespace ferry::proxy
