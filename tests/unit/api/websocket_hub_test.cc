#include <gtest/gtest.h>

#include "ferry/api/websocket.h"

namespace ferry::api {
namespace {

// The hub's bookkeeping only: the clients are never written to, so none is needed.
TEST(WebsocketHub, CapsClientsPerAddressAndGivesPlacesBackOnRemove) {
  WebsocketHub hub(2);
  auto a1 = hub.add(nullptr, "10.0.0.1");
  auto a2 = hub.add(nullptr, "10.0.0.1");
  ASSERT_TRUE(a1);
  ASSERT_TRUE(a2);
  EXPECT_NE(*a1, *a2);
  auto a3 = hub.add(nullptr, "10.0.0.1");
  ASSERT_FALSE(a3);
  EXPECT_EQ(a3.error().code, Errc::too_many_requests);
  EXPECT_NE(a3.error().message.find("2 websockets"), std::string::npos) << a3.error().message;
  // Another address has its own places.
  EXPECT_TRUE(hub.add(nullptr, "10.0.0.2"));
  EXPECT_EQ(hub.size(), 3u);

  hub.remove(*a1);
  EXPECT_EQ(hub.count_of("10.0.0.1"), 1u);
  auto again = hub.add(nullptr, "10.0.0.1");
  ASSERT_TRUE(again);
  // Removing twice (or an unknown id) gives nothing back twice.
  hub.remove(*a1);
  hub.remove("no-such-client");
  EXPECT_EQ(hub.count_of("10.0.0.1"), 2u);
  hub.remove(*a2);
  hub.remove(*again);
  EXPECT_EQ(hub.count_of("10.0.0.1"), 0u);
  EXPECT_EQ(hub.size(), 1u);
}

TEST(WebsocketHub, ZeroMeansNoPerAddressLimit) {
  WebsocketHub hub;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(hub.add(nullptr, "10.0.0.1")) << i;
  EXPECT_EQ(hub.count_of("10.0.0.1"), 100u);
}

}  // namespace
}  // namespace ferry::api
