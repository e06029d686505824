#include "ferry/core/ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <vector>

namespace ferry {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One part of a canonical dotted quad: 1-3 decimal digits, no leading zero, at most 255.
std::optional<std::uint8_t> canonical_octet(std::string_view part) {
  if (part.empty() || part.size() > 3) return std::nullopt;
  for (char c : part) {
    if (!is_digit(c)) return std::nullopt;
  }
  if (part.size() > 1 && part[0] == '0') return std::nullopt;
  int value = 0;
  std::from_chars(part.data(), part.data() + part.size(), value);
  if (value > 255) return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

std::vector<std::string_view> split_dots(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

std::optional<IpAddress> parse_canonical_v4(std::string_view text) {
  auto parts = split_dots(text);
  if (parts.size() != 4) return std::nullopt;
  IpAddress out;
  for (std::size_t i = 0; i < 4; ++i) {
    auto octet = canonical_octet(parts[i]);
    if (!octet) return std::nullopt;
    out.bytes[i] = *octet;
  }
  return out;
}

// A number as inet_aton reads one part: "0x"/"0X" then hex digits, "0" then octal digits,
// else decimal. Values beyond 32 bits are refused rather than wrapped.
std::optional<std::uint64_t> loose_number(std::string_view part) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
    // "0x" alone is 0 for inet_aton; nothing more to read.
    if (part.empty()) return 0;
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.empty() || part.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
  if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
  if (value > 0xffffffffULL) return std::nullopt;
  return value;
}

IpAddress from_bytes(IpAddress::Family family, const unsigned char* bytes, std::size_t n) {
  IpAddress out;
  out.family = family;
  for (std::size_t i = 0; i < n; ++i) out.bytes[i] = bytes[i];
  return out;
}

bool has_prefix(const IpAddress& a, std::initializer_list<std::uint8_t> prefix) {
  std::size_t i = 0;
  for (std::uint8_t b : prefix) {
    if (a.bytes[i++] != b) return false;
  }
  return true;
}

IpAddress v4_from(const IpAddress& a, std::size_t offset) {
  IpAddress out;
  for (std::size_t i = 0; i < 4; ++i) out.bytes[i] = a.bytes[offset + i];
  return out;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress out;
  out.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  out.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  out.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  out.bytes[3] = static_cast<std::uint8_t>(host_order);
  return out;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress out;
  out.family = Family::v6;
  out.bytes = bytes;
  return out;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), text, sizeof text) == nullptr) {
    return "?";
  }
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return parse_canonical_v4(text);
  // inet_pton reads a NUL-terminated string; copy so the view's end is honoured. Its IPv4
  // tail rules are strict (four decimal parts), as ours.
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  unsigned char bytes[16];
  if (::inet_pton(AF_INET6, copy.c_str(), bytes) != 1) return std::nullopt;
  return from_bytes(IpAddress::Family::v6, bytes, 16);
}

std::optional<IpAddress> parse_ipv4_any_spelling(std::string_view text) {
  if (text.empty() || text.back() == '.') return std::nullopt;
  auto parts = split_dots(text);
  if (parts.size() > 4) return std::nullopt;
  std::vector<std::uint64_t> numbers;
  for (auto part : parts) {
    auto number = loose_number(part);
    if (!number) return std::nullopt;
    numbers.push_back(*number);
  }
  // Every part but the last is one byte; the last fills the bytes left (inet_aton).
  std::uint64_t value = 0;
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i) {
    if (numbers[i] > 0xff) return std::nullopt;
    value |= numbers[i] << (24 - 8 * i);
  }
  const std::size_t left_bits = 32 - 8 * (numbers.size() - 1);
  if (left_bits < 64 && numbers.back() >= (std::uint64_t{1} << left_bits)) return std::nullopt;
  value |= numbers.back();
  return IpAddress::v4(static_cast<std::uint32_t>(value));
}

std::optional<IpAddress> embedded_ipv4(const IpAddress& a) {
  if (a.is_v4()) return std::nullopt;
  // ::ffff:a.b.c.d (mapped, RFC 4291 §2.5.5.2)
  if (has_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) return v4_from(a, 12);
  // ::ffff:0:a.b.c.d (translated, RFC 2765)
  if (has_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0})) return v4_from(a, 12);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix, RFC 6052 §2.1)
  if (has_prefix(a, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return v4_from(a, 12);
  // 2002:AABB:CCDD::/48 (6to4, RFC 3056 §2)
  if (has_prefix(a, {0x20, 0x02})) return v4_from(a, 2);
  // ::a.b.c.d (compatible, RFC 4291 §2.5.5.1, deprecated); :: and ::1 are themselves.
  if (has_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) {
    IpAddress inner = v4_from(a, 12);
    const std::uint32_t value = (std::uint32_t{inner.bytes[0]} << 24) |
                                (std::uint32_t{inner.bytes[1]} << 16) |
                                (std::uint32_t{inner.bytes[2]} << 8) | inner.bytes[3];
    if (value <= 1) return std::nullopt;
    return inner;
  }
  return std::nullopt;
}

Result<IpNetwork> IpNetwork::parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  auto address = parse_ip(address_text);
  if (!address) {
    return Error{Errc::invalid_argument,
                 "\"" + std::string(address_text) + "\" is not an IP address in canonical form"};
  }
  const int max_length = address->is_v4() ? 32 : 128;
  int length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view length_text = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(),
                                     length);
    if (length_text.empty() || ec != std::errc() ||
        end != length_text.data() + length_text.size() || length < 0 || length > max_length ||
        (length_text.size() > 1 && length_text[0] == '0')) {
      return Error{Errc::invalid_argument, "\"" + std::string(text) +
                                               "\" has a prefix length outside 0.." +
                                               std::to_string(max_length)};
    }
  }
  IpAddress masked = *address;
  for (int bit = length; bit < max_length; ++bit) {
    masked.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  if (masked != *address) {
    return Error{Errc::invalid_argument,
                 "\"" + std::string(text) + "\" has bits set after its prefix length"};
  }
  return IpNetwork(*address, length);
}

bool IpNetwork::contains(const IpAddress& a) const {
  if (a.family != address_.family) return false;
  const int full_bytes = prefix_length_ / 8;
  for (int i = 0; i < full_bytes; ++i) {
    if (a.bytes[i] != address_.bytes[i]) return false;
  }
  const int rest = prefix_length_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a.bytes[full_bytes] & mask) == (address_.bytes[full_bytes] & mask);
}

std::string IpNetwork::to_string() const {
  return address_.to_string() + "/" + std::to_string(prefix_length_);
}

}  // namespace ferry
