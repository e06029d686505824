#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry {

// An IPv4 or IPv6 address, in network byte order. An IPv4 address uses bytes[0..3]; an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays an IPv6 address here, so that callers
// decide explicitly how to judge it (embedded_ipv4). Immutable value.
struct IpAddress {
  enum class Family { v4, v6 };
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);
  bool is_v4() const { return family == Family::v4; }
  std::size_t size() const { return is_v4() ? 4 : 16; }
  // The canonical text: "127.0.0.1", "::ffff:127.0.0.1", "fe80::1" (RFC 5952).
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

// `text` as an address in canonical spelling only: four decimal parts 0-255 without leading
// zeros ("127.0.0.1"), or IPv6 text without brackets or zone ("::1", "::ffff:10.0.0.1").
// nullopt for anything else, host names and the odd IPv4 spellings included.
std::optional<IpAddress> parse_ip(std::string_view text);

// `text` as an IPv4 address in any spelling the C library's inet_aton (and so getaddrinfo)
// accepts: one to four parts separated by '.', each decimal, octal (leading 0) or hex
// (0x), the last part filling all remaining bytes. "2130706433", "0177.0.0.1", "0x7f.1" and
// "127.1" are all 127.0.0.1. nullopt when `text` is not such a spelling or a part overflows.
std::optional<IpAddress> parse_ipv4_any_spelling(std::string_view text);

// The IPv4 address an IPv6 address carries and that a network stack may end up reaching:
// IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96 (but
// not :: or ::1), NAT64 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056). nullopt for
// an IPv4 address or any other IPv6 address.
std::optional<IpAddress> embedded_ipv4(const IpAddress& address);

// A CIDR block: an address and a prefix length. Immutable value.
class IpNetwork {
 public:
  // "10.0.0.0/8", "fc00::/7", or a bare address (a /32 or /128). Canonical spellings only
  // (parse_ip). Errc::invalid_argument when the address or the prefix length is invalid,
  // or bits are set after the prefix ("10.0.0.1/8").
  static Result<IpNetwork> parse(std::string_view text);

  // True when `address` is of the network's family and its first prefix_length() bits
  // are the network's. An IPv4-mapped IPv6 address is not in an IPv4 network: judge
  // embedded_ipv4() for that.
  bool contains(const IpAddress& address) const;

  const IpAddress& address() const { return address_; }
  int prefix_length() const { return prefix_length_; }
  std::string to_string() const;  // "10.0.0.0/8"

 private:
  IpNetwork(IpAddress address, int prefix_length)
      : address_(address), prefix_length_(prefix_length) {}
  IpAddress address_;
  int prefix_length_ = 0;
};

}  // namespace ferry
