#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/ip_network.h"
#include "ferry/core/result.h"

namespace ferry {

// Where Ferry may connect when the address comes from a request or from connection data
// (DESIGN.md §3, "Egress policy"): a Base-Url-Override today. Hosts the operator wrote in
// integrations.yaml are trusted and never judged here.
//
// decide() judges one resolved address of a host, just before connecting to it (so a DNS
// answer that changes between checks cannot slip through). In order:
//   1. the host name is listed in `egress.allow` (exactly, case-insensitively, without a
//      trailing dot; "*.example.com" lists every name below example.com, not example.com
//      itself): allowed, whatever the address and scheme;
//   2. the address is in a listed CIDR (an IPv6 address that embeds an IPv4 one, such as
//      ::ffff:127.0.0.1, counts as in it when either is): allowed, whatever the scheme;
//   3. the address, or the IPv4 address it embeds (embedded_ipv4), is special: refused
//      naming the range. Special: unspecified 0.0.0.0/8 and ::, loopback 127.0.0.0/8 and
//      ::1, private 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7, CGNAT
//      100.64.0.0/10, link-local 169.254.0.0/16 and fe80::/10, site-local fec0::/10,
//      multicast 224.0.0.0/4 and ff00::/8, broadcast 255.255.255.255, reserved 240.0.0.0/4,
//      local-use NAT64 64:ff9b:1::/48;
//   4. the scheme is http: refused (plain http only to listed hosts or networks);
//   5. allowed.
// Odd IPv4 spellings of a host ("2130706433", "0x7f.1") are judged as the address they mean:
// the connector turns them into that address (parse_ipv4_any_spelling) before calling here.
// Immutable; thread-safe.
class EgressPolicy {
 public:
  // A policy that admits nothing beyond public addresses over https.
  EgressPolicy() = default;

  // `allow`: CIDRs ("10.20.0.0/16", "::1/128"), bare addresses ("127.0.0.1") and host names
  // ("localhost", "api.internal.example", "*.corp.example"). Errc::invalid_argument naming the
  // first entry that is none of these (an odd IPv4 spelling such as "0x7f.1" included).
  static Result<EgressPolicy> make(const std::vector<std::string>& allow);

  struct Decision {
    bool allowed = false;
    std::string reason;  // when refused: "127.0.0.1 is loopback (127.0.0.0/8)"
  };
  // Whether Ferry may connect to `address`, one of the addresses `host` (as in the URL, no
  // brackets) resolved to, over https (`https`) or plain http.
  Decision decide(std::string_view host, const IpAddress& address, bool https) const;

 private:
  std::vector<IpNetwork> networks_;
  std::vector<std::string> names_;     // lower case, no trailing dot
  std::vector<std::string> suffixes_;  // ".corp.example" for "*.corp.example"
};

// The special range `address` is in, as "loopback (127.0.0.0/8)", or "" when it is an
// ordinary address. An address that embeds an IPv4 one is not unwrapped here.
std::string special_range(const IpAddress& address);

}  // namespace ferry
