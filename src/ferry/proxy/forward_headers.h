#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/http/client/outbound_request.h"

namespace ferry::proxy {

// HTTP header fields in order, as (name, value). Names compare case-insensitively.
using HeaderList = std::vector<std::pair<std::string, std::string>>;
// The same, viewing fields that live elsewhere (a parsed message's head).
using HeaderViews = std::vector<std::pair<std::string_view, std::string_view>>;

// Where a renamed Nango-Proxy-<Name> field's value came from, for the sink check's message.
inline constexpr http::HeaderSource kFromNangoProxyHeader =
    "a Nango-Proxy-* header of the caller's request";
// Where an action's request headers came from.
inline constexpr http::HeaderSource kFromAction = "the action's request";

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
// Each field carries where it came from (kFromCaller, kFromNangoProxyHeader); names and
// values are checked where the request is sent (http/client/header_check.h), not here.
std::vector<http::OutboundHeader> forward_request_headers(const HeaderViews& inbound);

// The headers of an action's request (nango:get{headers = ...}): each is the action's
// deliberate choice, as a Nango-Proxy-<Name> field is the proxy caller's, so the same
// drops apply (hop-by-hop, Host, Content-Length, Expect) and Accept-Encoding: identity is
// added unless the action set its own. Source: kFromAction.
std::vector<http::OutboundHeader> action_request_headers(const HeaderList& headers);

// The upstream response's headers that go back to the caller: all but hop-by-hop fields,
// fields named in its Connection header, and Content-Length (the relay frames the body it
// streams back itself). Order kept; the views point into `upstream`'s strings.
HeaderViews filter_response_headers(const HeaderViews& upstream);

}  // namespace ferry::proxy
