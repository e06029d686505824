#include "ferry/core/egress_policy.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

IpAddress ip(std::string_view text) {
  auto address = parse_ip(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

TEST(EgressPolicy, RefusesEverySpecialRangeByDefault) {
  struct Case {
    std::string_view address, kind;
  };
  const Case cases[] = {
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"127.0.0.1", "loopback"},
      {"127.255.255.254", "loopback"},
      {"10.0.0.1", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.1.1", "private"},
      {"100.64.0.1", "carrier-grade NAT"},
      {"100.127.255.255", "carrier-grade NAT"},
      {"169.254.169.254", "link-local"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.255", "broadcast"},
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"fc00::1", "private"},
      {"fd00:ec2::254", "private"},
      {"fe80::1", "link-local"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast"},
      {"64:ff9b:1::1", "local-use NAT64"},
      // IPv6 forms that carry an IPv4 address are judged as that address.
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:0.0.0.0", "unspecified"},
      {"::ffff:169.254.169.254", "link-local"},
      {"::ffff:0:10.0.0.1", "private"},
      {"::127.0.0.1", "loopback"},
      {"64:ff9b::127.0.0.1", "loopback"},
      {"64:ff9b::10.1.1.1", "private"},
      {"2002:7f00:1::1", "loopback"},
  };
  const EgressPolicy policy;
  for (const auto& c : cases) {
    auto decision = policy.decide("h.example", ip(c.address), true);
    EXPECT_FALSE(decision.allowed) << c.address;
    EXPECT_NE(decision.reason.find(c.kind), std::string::npos) << c.address << ": "
                                                               << decision.reason;
  }
}

TEST(EgressPolicy, JudgesOddIpv4SpellingsAsTheAddressTheyMean) {
  const EgressPolicy policy;
  for (std::string_view host : {"2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001",
                                "017700000001", "0", "0xa9fea9fe", "10.1"}) {
    auto address = parse_ipv4_any_spelling(host);
    ASSERT_TRUE(address) << host;
    auto decision = policy.decide(host, *address, true);
    EXPECT_FALSE(decision.allowed) << host;
  }
}

TEST(EgressPolicy, AdmitsPublicAddressesOverHttpsOnly) {
  const EgressPolicy policy;
  for (std::string_view address : {"93.184.215.14", "8.8.8.8", "100.63.255.255", "100.128.0.1",
                                   "172.15.255.255", "172.32.0.1", "2606:4700::6810:84e5",
                                   "::ffff:93.184.215.14", "64:ff9b::8.8.8.8"}) {
    EXPECT_TRUE(policy.decide("api.example.com", ip(address), true).allowed) << address;
    auto plain = policy.decide("api.example.com", ip(address), false);
    EXPECT_FALSE(plain.allowed) << address;
    EXPECT_NE(plain.reason.find("https"), std::string::npos) << plain.reason;
  }
}

TEST(EgressPolicy, TheAllowListAdmitsNetworksAndHostNames) {
  auto policy = EgressPolicy::make(
      {"127.0.0.0/8", "::1", "10.20.0.0/16", "internal.example", "*.corp.example", "Upper.Example."});
  ASSERT_TRUE(policy) << policy.error().message;
  struct Case {
    std::string_view host, address;
    bool https, allowed;
  };
  const Case cases[] = {
      // Listed networks: any scheme.
      {"127.0.0.1", "127.0.0.1", false, true},
      {"localhost", "127.0.0.1", false, true},
      {"2130706433", "127.0.0.1", false, true},
      {"::ffff:127.0.0.1", "::ffff:127.0.0.1", false, true},
      {"::1", "::1", false, true},
      {"x", "10.20.3.4", true, true},
      {"x", "10.21.3.4", true, false},
      {"x", "192.168.0.1", true, false},
      // Listed names: any address, any scheme.
      {"internal.example", "192.168.0.1", false, true},
      {"INTERNAL.example.", "10.0.0.1", true, true},
      {"upper.example", "10.0.0.1", true, true},
      {"a.corp.example", "172.16.0.1", false, true},
      {"a.b.corp.example", "172.16.0.1", true, true},
      {"corp.example", "172.16.0.1", true, false},
      {"evilcorp.example", "172.16.0.1", true, false},
      {"internal.example.evil", "127.0.0.2", true, true},  // admitted by 127.0.0.0/8
      {"internal.example.evil", "169.254.169.254", true, false},
      // Unlisted public hosts still need https.
      {"api.example.com", "93.184.215.14", false, false},
      {"api.example.com", "93.184.215.14", true, true},
  };
  for (const auto& c : cases) {
    auto decision = policy->decide(c.host, ip(c.address), c.https);
    EXPECT_EQ(decision.allowed, c.allowed) << c.host << " " << c.address << ": "
                                           << decision.reason;
  }
}

TEST(EgressPolicy, RefusalsNameTheAddressAndTheRange) {
  const EgressPolicy policy;
  EXPECT_EQ(policy.decide("localhost", ip("127.0.0.1"), true).reason,
            "127.0.0.1 is loopback (127.0.0.0/8)");
  EXPECT_EQ(policy.decide("x", ip("::ffff:10.0.0.1"), true).reason,
            "::ffff:10.0.0.1 (10.0.0.1) is private (10.0.0.0/8)");
}

TEST(EgressPolicy, RejectsAllowEntriesThatAreNeitherNetworksNorNames) {
  for (std::string_view entry : {"10.0.0.1/8", "10.0.0.0/33", "0x7f.1", "2130706433", "127.1",
                                 "a b", "http://x.example", "x..example", "", "*.", "fe80::1%1"}) {
    auto policy = EgressPolicy::make({std::string(entry)});
    EXPECT_FALSE(policy) << entry;
    if (!policy) {
      EXPECT_EQ(policy.error().code, Errc::invalid_argument);
      EXPECT_NE(policy.error().message.find("egress.allow"), std::string::npos);
    }
  }
}

TEST(SpecialRange, OrdinaryAddressesHaveNone) {
  for (std::string_view address : {"1.1.1.1", "93.184.215.14", "2001:4860:4860::8888"}) {
    EXPECT_EQ(special_range(ip(address)), "") << address;
  }
}

}  // namespace
}  // namespace ferry
