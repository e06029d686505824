#include "ferry/core/ip_network.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(ParseIp, ReadsCanonicalSpellingsOnly) {
  struct Case {
    std::string_view text;
    std::string_view canonical;  // "" = not an address
  };
  const Case cases[] = {
      {"127.0.0.1", "127.0.0.1"},
      {"0.0.0.0", "0.0.0.0"},
      {"255.255.255.255", "255.255.255.255"},
      {"::1", "::1"},
      {"::", "::"},
      {"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
      {"FE80::1", "fe80::1"},
      {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
      // Not canonical, or not an address at all.
      {"2130706433", ""},
      {"0177.0.0.1", ""},
      {"0x7f.0.0.1", ""},
      {"127.1", ""},
      {"127.0.0.01", ""},
      {"256.0.0.1", ""},
      {"1.2.3.4.5", ""},
      {"1.2.3.", ""},
      {"[::1]", ""},
      {"fe80::1%eth0", ""},
      {"::ffff:0177.0.0.1", ""},
      {"localhost", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    auto address = parse_ip(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(address) << c.text;
    } else {
      ASSERT_TRUE(address) << c.text;
      EXPECT_EQ(address->to_string(), c.canonical) << c.text;
    }
  }
}

TEST(ParseIpv4AnySpelling, ReadsEveryFormInetAtonAccepts) {
  struct Case {
    std::string_view text;
    std::string_view meaning;  // "" = not an IPv4 spelling
  };
  const Case cases[] = {
      {"127.0.0.1", "127.0.0.1"},
      {"2130706433", "127.0.0.1"},
      {"017700000001", "127.0.0.1"},
      {"0x7f000001", "127.0.0.1"},
      {"0X7F000001", "127.0.0.1"},
      {"0177.0.0.1", "127.0.0.1"},
      {"0x7f.0.0.1", "127.0.0.1"},
      {"0x7f.1", "127.0.0.1"},
      {"127.1", "127.0.0.1"},
      {"127.0.1", "127.0.0.1"},
      {"0", "0.0.0.0"},
      {"0.0", "0.0.0.0"},
      {"10.0x10000", "10.1.0.0"},
      {"169.254.43518", "169.254.169.254"},
      {"0xa9fea9fe", "169.254.169.254"},
      {"4294967295", "255.255.255.255"},
      // Not IPv4 in any spelling.
      {"4294967296", ""},
      {"256.1", ""},
      {"127.0.0.256", ""},
      {"1.2.3.4.5", ""},
      {"08.0.0.1", ""},
      {"0x.1.g", ""},
      {"127.0.0.1.", ""},
      {"127..1", ""},
      {"localhost", ""},
      {"1e3", ""},
      {"-1", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    auto address = parse_ipv4_any_spelling(c.text);
    if (c.meaning.empty()) {
      EXPECT_FALSE(address) << c.text << " -> " << (address ? address->to_string() : "");
    } else {
      ASSERT_TRUE(address) << c.text;
      EXPECT_EQ(address->to_string(), c.meaning) << c.text;
    }
  }
}

TEST(EmbeddedIpv4, UnwrapsEveryFormThatCarriesAnIpv4Address) {
  struct Case {
    std::string_view v6;
    std::string_view v4;  // "" = none
  };
  const Case cases[] = {
      {"::ffff:127.0.0.1", "127.0.0.1"},
      {"::ffff:7f00:1", "127.0.0.1"},
      {"::ffff:0:10.0.0.1", "10.0.0.1"},
      {"::127.0.0.1", "127.0.0.1"},
      {"64:ff9b::7f00:1", "127.0.0.1"},
      {"64:ff9b::169.254.169.254", "169.254.169.254"},
      {"2002:c0a8:0101::1", "192.168.1.1"},
      {"::", ""},
      {"::1", ""},
      {"2001:db8::1", ""},
      {"fe80::1", ""},
  };
  for (const auto& c : cases) {
    auto address = parse_ip(c.v6);
    ASSERT_TRUE(address) << c.v6;
    auto inner = embedded_ipv4(*address);
    if (c.v4.empty()) {
      EXPECT_FALSE(inner) << c.v6;
    } else {
      ASSERT_TRUE(inner) << c.v6;
      EXPECT_EQ(inner->to_string(), c.v4) << c.v6;
    }
  }
  EXPECT_FALSE(embedded_ipv4(*parse_ip("127.0.0.1")));
}

TEST(IpNetwork, ParsesAndContains) {
  struct Case {
    std::string_view network, address;
    bool inside;
  };
  const Case cases[] = {
      {"127.0.0.0/8", "127.0.0.1", true},
      {"127.0.0.0/8", "127.255.255.254", true},
      {"127.0.0.0/8", "128.0.0.1", false},
      {"172.16.0.0/12", "172.31.255.255", true},
      {"172.16.0.0/12", "172.32.0.0", false},
      {"100.64.0.0/10", "100.127.0.1", true},
      {"100.64.0.0/10", "100.128.0.1", false},
      {"10.1.2.3", "10.1.2.3", true},
      {"10.1.2.3", "10.1.2.4", false},
      {"0.0.0.0/0", "8.8.8.8", true},
      {"fc00::/7", "fd12::1", true},
      {"fc00::/7", "fe00::1", false},
      {"fe80::/10", "febf::1", true},
      {"fe80::/10", "fec0::1", false},
      {"::1", "::1", true},
      {"::/0", "2001:db8::1", true},
      // Families never mix: a mapped address is not in an IPv4 network.
      {"127.0.0.0/8", "::ffff:127.0.0.1", false},
      {"::/0", "127.0.0.1", false},
  };
  for (const auto& c : cases) {
    auto network = IpNetwork::parse(c.network);
    ASSERT_TRUE(network) << c.network << ": " << network.error().message;
    auto address = parse_ip(c.address);
    ASSERT_TRUE(address) << c.address;
    EXPECT_EQ(network->contains(*address), c.inside) << c.network << " " << c.address;
  }
  EXPECT_EQ(IpNetwork::parse("10.0.0.0/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(IpNetwork::parse("::1")->to_string(), "::1/128");
}

TEST(IpNetwork, RejectsMalformedBlocks) {
  for (std::string_view text :
       {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8x",
        "::1/129", "fe80::1/10", "10/8", "0x7f.0.0.1/8", "localhost", "", "/8"}) {
    auto network = IpNetwork::parse(text);
    EXPECT_FALSE(network) << text;
    if (!network) {
      EXPECT_EQ(network.error().code, Errc::invalid_argument);
    }
  }
}

}  // namespace
}  // namespace ferry
