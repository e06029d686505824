#include "ferry/api/client_address.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(ClientKey, CountsIpv4AsIsAndIpv6ByItsSlash64) {
  struct Case {
    const char* address;
    const char* key;
  };
  const Case cases[] = {
      {"10.0.0.1", "10.0.0.1"},
      {"::ffff:10.0.0.1", "10.0.0.1"},
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"::1", "::/64"},
      {"unknown", "unknown"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(client_key(c.address), c.key) << c.address;
  // Two hosts of one /64 share a key; of two /64s they do not.
  EXPECT_EQ(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:2::2"));
  EXPECT_NE(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:3::1"));
}

}  // namespace
}  // namespace ferry::api
