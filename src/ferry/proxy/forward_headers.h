#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::proxy {

// HTTP header fields in order, as (name, value). Names compare case-insensitively.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The value this module sends as Accept-Encoding unless the caller asks otherwise.
inline constexpr std::string_view kUpstreamAcceptEncoding = "identity";

// True for the hop-by-hop fields of RFC 9110 §7.6.1 (Connection, Keep-Alive,
// Proxy-Authenticate, Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade) and the
// non-standard Proxy-Connection. Fields named in a Connection header are hop-by-hop too;
// that needs the message, so the functions below handle it.
bool is_hop_by_hop(std::string_view name);

// The headers of a proxy request (DESIGN.md §3) that go upstream, in their inbound order.
// The forwarder adds its own afterwards: Host, Content-Length or Transfer-Encoding, and the
// integration's `requests.headers` (which replace any same-named header from here).
//
// Dropped:
//   - hop-by-hop fields (is_hop_by_hop) and every field the Connection header names;
//   - Host, Content-Length and Expect: the forwarder frames the upstream request itself;
//   - Authorization, always: it carries Ferry's secret key;
//   - Ferry's control headers: Connection-Id, Provider-Config-Key, Retries, Retry-On,
//     Base-Url-Override, Nango-Activity-Log-Id, Decompress, Forward-Headers-On-Redirect,
//     Nango-Is-Sync, Nango-Is-Dry-Run;
//   - Accept-Encoding: HTTP clients add "gzip, br" on their own, and Ferry reads upstream
//     bodies (errors, rate-limit replies, action results), so it asks for
//     kUpstreamAcceptEncoding instead (appended last).
// Renamed: `Nango-Proxy-<Name>` (prefix in any case, <Name> not empty) goes up as <Name>,
// replacing plain inbound fields of that name. This is how a caller deliberately sends
//   - its own Authorization (e.g. for an integration that sets none; an integration's own
//     Authorization header still wins, as the forwarder applies it last), and
//   - its own Accept-Encoding, in which case no "identity" is added and the compressed
//     body comes back as is with its Content-Encoding.
// A renamed field that would be hop-by-hop, Host, Content-Length or Expect is dropped.
// Everything else (Content-Type, Accept, User-Agent, custom fields) is kept unchanged.
//
// Errc::invalid_argument when a name is not an RFC 9110 §5.1 token, or a value holds CR,
// LF or NUL (the message names the header, never the value).
Result<HeaderList> forward_request_headers(const HeaderList& inbound);

// The upstream response's headers that go back to the caller: all but hop-by-hop fields,
// fields named in its Connection header, and Content-Length (the server frames the body
// it streams back; the forwarder takes the length from the parsed response). Order kept.
HeaderList filter_response_headers(const HeaderList& upstream);

}  // namespace ferry::proxy
