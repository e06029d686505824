#pragma once

#include <string>
#include <string_view>

namespace ferry::api {

// The key under which the per-client limits (pending OAuth flows, websockets) count a peer,
// from the address the server saw (RequestContext::remote_address):
//   an IPv4 address as is, also when it arrives IPv4-mapped ("::ffff:10.0.0.1" -> "10.0.0.1");
//   an IPv6 address as its /64 network ("2001:db8:1:2::/64"), since one host commonly holds
//   a whole /64 and could otherwise open a flow per address;
//   anything else (e.g. "unknown") unchanged.
// Pure. Behind a reverse proxy every client shares the proxy's address: the limits then
// apply to all of them together (ferry.yaml's max_*_per_client keys raise them).
std::string client_key(std::string_view remote_address);

}  // namespace ferry::api
