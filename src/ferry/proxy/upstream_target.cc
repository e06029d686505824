#include "ferry/proxy/upstream_target.h"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <optional>

#include "ferry/core/strings.h"
#include "ferry/core/url_encoding.h"
#include "ferry/core/url_parse.h"

namespace ferry::proxy {
namespace {

namespace urls = boost::urls;

Error bad_base(std::string_view what) {
  return Error{Errc::invalid_argument, "the base URL " + std::string(what)};
}

Error bad_endpoint(std::string_view what) {
  return Error{Errc::invalid_argument, "the proxy endpoint " + std::string(what)};
}

Error bad_query(std::string_view what) {
  return Error{Errc::invalid_argument, "the query string " + std::string(what)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The byte encoded by "%XY" at `s[i]`, or nullopt when `s[i..]` is not a valid escape.
std::optional<unsigned char> escape_at(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size()) return std::nullopt;
  int hi = hex_value(s[i + 1]);
  int lo = hex_value(s[i + 2]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<unsigned char>(hi * 16 + lo);
}

// Strict UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, nothing past U+10FFFF.
// Overlong encodings of '.' and '/' (%C0%AE, %C0%AF) are a classic traversal trick
// against servers that decode them leniently.
bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80                   ? 0
                    : (c >= 0xc2 && c <= 0xdf) ? 1
                    : (c & 0xf0) == 0xe0       ? 2
                    : (c >= 0xf0 && c <= 0xf4) ? 3
                                               : 4;
    if (n == 4 || i + n >= s.size()) return false;  // invalid lead byte or truncated
    for (std::size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    if (n >= 2) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if (c == 0xe0 && c1 < 0xa0) return false;   // overlong
      if (c == 0xed && c1 >= 0xa0) return false;  // surrogates
      if (c == 0xf0 && c1 < 0x90) return false;   // overlong
      if (c == 0xf4 && c1 >= 0x90) return false;  // above U+10FFFF
    }
    i += n + 1;
  }
  return true;
}

// Scans the endpoint (leading '/' already dropped) byte by byte; the first problem found.
Status check_endpoint_bytes(std::string_view e) {
  std::string decoded;
  for (std::size_t i = 0; i < e.size(); ++i) {
    auto c = static_cast<unsigned char>(e[i]);
    if (c == '%') {
      auto b = escape_at(e, i);
      if (!b) return bad_endpoint("has invalid percent-encoding");
      if (*b == '/' || *b == '\\') return bad_endpoint("has a percent-encoded slash or backslash");
      if (*b == '@') return bad_endpoint("has an encoded '@'");
      if (is_control(*b)) return bad_endpoint("has an encoded control character");
      // "%25" then two hex digits: decoding twice would produce an escape ("%252f").
      if (*b == '%' && escape_at(e, i + 2)) return bad_endpoint("is percent-encoded twice");
      decoded.push_back(static_cast<char>(*b));
      i += 2;
      continue;
    }
    if (is_control(c)) return bad_endpoint("has a control character");
    if (c >= 0x80) return bad_endpoint("has a non-ASCII byte; percent-encode it");
    switch (c) {
      case ' ':
        return bad_endpoint("has a space; percent-encode it as %20");
      case '\\':
        return bad_endpoint("has a backslash");
      case '@':
        return bad_endpoint("has an '@'");
      case '#':
        return bad_endpoint("has a '#' fragment");
      case '?':
        return bad_endpoint("has a '?'; the query string is passed separately");
      default:
        break;
    }
    decoded.push_back(static_cast<char>(c));
  }
  if (!is_valid_utf8(decoded)) return bad_endpoint("has percent-encoded bytes that are not UTF-8");
  return ok();
}

// A segment that some server resolves as "." or "..": "..", "%2e%2E", "..;jsessionid".
bool is_dot_segment(std::string_view raw_segment) {
  auto checked = urls::make_pct_string_view(raw_segment);
  std::string decoded = checked ? checked->decode() : std::string(raw_segment);
  std::string_view before_params = std::string_view(decoded).substr(0, decoded.find(';'));
  return before_params == "." || before_params == "..";
}

Status check_segments(std::string_view e) {
  auto segments = split(e, '/');
  // RFC 3986 §4.2: a ':' in the first segment makes the reference an absolute URI.
  if (segments.front().find(':') != std::string::npos) {
    return bad_endpoint("starts with a URL scheme or has a ':' in its first segment");
  }
  for (const auto& segment : segments) {
    if (is_dot_segment(segment)) return bad_endpoint("has a '.' or '..' segment");
  }
  return ok();
}

Status check_endpoint(std::string_view endpoint) {
  if (endpoint.starts_with("//")) return bad_endpoint("must not start with '//'");
  if (endpoint.starts_with("\\") || endpoint.starts_with("/\\")) {
    return bad_endpoint("must not start with a backslash");
  }
  if (endpoint.starts_with('/')) endpoint.remove_prefix(1);
  if (endpoint.empty()) return bad_endpoint("is empty");
  if (auto checked = check_endpoint_bytes(endpoint); !checked) return checked;
  return check_segments(endpoint);
}

Status check_query(std::string_view query) {
  for (std::size_t i = 0; i < query.size(); ++i) {
    auto c = static_cast<unsigned char>(query[i]);
    if (c == '%' && !escape_at(query, i)) return bad_query("has invalid percent-encoding");
    if (is_control(c)) return bad_query("has a control character");
    if (c >= 0x80) return bad_query("has a non-ASCII byte; percent-encode it");
    if (c == ' ') return bad_query("has a space; percent-encode it");
    if (c == '#') return bad_query("has a '#' fragment");
  }
  return ok();
}

// The port in `u`, or the scheme's default; nullopt when out of range. Boost.URL's
// port_number() wraps large values, so the digits are read here.
std::optional<std::uint16_t> effective_port(const urls::url_view& u) {
  if (!u.has_port() || u.port().empty()) {
    return u.scheme_id() == urls::scheme::https ? 443 : 80;
  }
  auto digits = u.port();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

bool is_default_port(std::string_view scheme, std::uint16_t port) {
  return (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
}

// Re-parses the finished URL and proves it still names the base's scheme, host and port,
// below the base path. The checks above should make this unreachable; it is the last line
// in case a future edit weakens them.
Status same_origin(const BaseUrl& base, const std::string& url) {
  auto parsed = ferry::parse_absolute_uri(url);
  if (!parsed) return bad_endpoint("does not form a valid URL with the base URL");
  const urls::url_view& u = *parsed;
  auto port = effective_port(u);
  bool same = to_lower(u.scheme()) == base.scheme() && !u.has_userinfo() &&
              to_lower(u.encoded_host()) == base.host() && port && *port == base.port() &&
              u.encoded_path().starts_with(base.path()) && !u.has_fragment();
  if (!same) return bad_endpoint("would leave the integration's base URL");
  return ok();
}

}  // namespace

Result<BaseUrl> BaseUrl::parse(std::string_view text) {
  auto parsed = ferry::parse_absolute_uri(text);
  if (!parsed) return bad_base("is not a valid absolute URL");
  const urls::url_view& u = *parsed;
  if (u.scheme_id() != urls::scheme::http && u.scheme_id() != urls::scheme::https) {
    return bad_base("must start with http:// or https://");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad_base("has no host");
  if (u.has_userinfo()) return bad_base("must not hold a user name or password");
  if (u.has_query()) return bad_base("must not have a query string");
  if (u.encoded_host().find('%') != urls::string_view::npos) {
    return bad_base("must not have a percent-encoded host");
  }
  if (u.host_type() == urls::host_type::ipvfuture) return bad_base("has an unsupported host");
  auto port = effective_port(u);
  if (!port) return bad_base("has a port outside 1..65535");
  BaseUrl base;
  base.scheme_ = to_lower(u.scheme());
  base.host_ = to_lower(u.encoded_host());
  base.port_ = *port;
  base.path_ = std::string(u.encoded_path());
  // Boost.URL 1.81 reads "host:12ab/" as port 12 and path "ab/"; RFC 3986 §3.3 requires a
  // path after an authority to be empty or start with '/'.
  if (!base.path_.empty() && base.path_.front() != '/') return bad_base("has an invalid port");
  if (base.path_.empty()) base.path_ = "/";
  if (base.path_.back() != '/') base.path_.push_back('/');
  for (const auto& segment : split(std::string_view(base.path_).substr(1), '/')) {
    if (is_dot_segment(segment)) return bad_base("has a '.' or '..' path segment");
  }
  base.origin_ = base.scheme_ + "://" + base.host_;
  if (!is_default_port(base.scheme_, base.port_)) base.origin_ += ":" + std::to_string(base.port_);
  return base;
}

UpstreamTarget::UpstreamTarget(std::string target, std::string url, std::string host_header)
    : target_(std::move(target)), url_(std::move(url)), host_header_(std::move(host_header)) {}

Result<UpstreamTarget> UpstreamTarget::build(const BaseUrl& base, std::string_view endpoint,
                                             std::string_view query) {
  if (auto checked = check_endpoint(endpoint); !checked) return std::move(checked).error();
  if (auto checked = check_query(query); !checked) return std::move(checked).error();
  if (endpoint.starts_with('/')) endpoint.remove_prefix(1);
  std::string target = base.path() + std::string(endpoint);
  if (!query.empty()) target += "?" + std::string(query);
  auto origin_form = urls::parse_origin_form(target);
  if (!origin_form) {
    return Error{Errc::invalid_argument, "the proxy endpoint or query string is not a valid URL"};
  }
  std::string url = base.origin() + target;
  std::string host_header = is_default_port(base.scheme(), base.port())
                                ? base.host()
                                : base.host() + ":" + std::to_string(base.port());
  UpstreamTarget result(std::move(target), std::move(url), std::move(host_header));
  if (auto checked = same_origin(base, result.url_); !checked) return std::move(checked).error();
  return result;
}

UpstreamTarget UpstreamTarget::with_params(
    const std::vector<std::pair<std::string, std::string>>& params) const {
  std::string target = target_;
  bool has_query = target.find('?') != std::string::npos;
  for (const auto& [name, value] : params) {
    target += has_query ? "&" : "?";
    has_query = true;
    std::string param;
    append_query_param(param, name, value);
    target += param;
  }
  std::string url = url_.substr(0, url_.size() - target_.size()) + target;
  return UpstreamTarget(std::move(target), std::move(url), host_header_);
}

}  // namespace ferry::proxy
