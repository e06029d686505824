// The payloads instances announce on, read and written without a database.
#include "ferry/store/postgres/peer_announcements.h"

#include <gtest/gtest.h>

#include "store_fixture.h"

namespace ferry::store::pg {
namespace {

using nlohmann::json;

TEST(ConnectionChangeTest, TheTriggersPayloadNamesTheWriterAndTheConnection) {
  auto change = decode_connection_change(
      R"({"instance":"i-1","provider_config_key":"jira","connection_id":"u1"})");
  EXPECT_EQ(change.instance, "i-1");
  ASSERT_TRUE(change.key);
  EXPECT_EQ(change.key->provider_config_key, "jira");
  EXPECT_EQ(change.key->connection_id, "u1");
}

TEST(ConnectionChangeTest, AllOrAnythingElseMeansAnyConnection) {
  EXPECT_FALSE(decode_connection_change(R"({"instance":"i-1","all":true})").key);
  EXPECT_EQ(decode_connection_change(R"({"instance":"i-1","all":true})").instance, "i-1");
  for (const char* payload : {"", "not json", "[]", "{}", R"({"provider_config_key":"jira"})",
                              R"({"provider_config_key":1,"connection_id":"u1"})"}) {
    const auto change = decode_connection_change(payload);
    EXPECT_FALSE(change.key) << payload;
    EXPECT_EQ(change.instance, "") << payload;  // never mistaken for this instance's own
  }
}

TEST(FlowResultTest, RoundTrips) {
  const FlowResult sent{"i-1", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
                        {{"message_type", "success"}, {"connection_id", "ü-1"}}};
  auto payload = encode_flow_result(sent);
  ASSERT_TRUE(payload);
  auto received = decode_flow_result(*payload);
  ASSERT_TRUE(received);
  EXPECT_EQ(received->instance, sent.instance);
  EXPECT_EQ(received->ws_client_id, sent.ws_client_id);
  EXPECT_EQ(received->message, sent.message);
}

TEST(FlowResultTest, APayloadOverNotifysLimitIsRefused) {
  FlowResult big{"i-1", "ws", {{"error_desc", std::string(kMaxPayloadBytes, 'x')}}};
  auto payload = encode_flow_result(big);
  ASSERT_FALSE(payload);
  EXPECT_EQ(payload.error().code, Errc::invalid_argument);
  // Invalid UTF-8 in a message is replaced, not thrown on.
  EXPECT_TRUE(encode_flow_result({"i-1", "ws", {{"error_desc", "\xff\xfe"}}}));
}

TEST(FlowResultTest, MalformedPayloadsAreNotResults) {
  for (const char* payload :
       {"", "x", "[]", R"({"message":{}})", R"({"ws_client_id":"","message":{}})",
        R"({"ws_client_id":7,"message":{}})", R"({"ws_client_id":"w","message":"hi"})"}) {
    EXPECT_FALSE(decode_flow_result(payload)) << payload;
  }
}

using SqlitePeersTest = testing::SqliteStoreTest;

TEST_F(SqlitePeersTest, SqliteHasNoPeers) {
  auto store = open("db");
  ASSERT_TRUE(store);
  auto peers = store->join_peers({});
  ASSERT_TRUE(peers);
  EXPECT_EQ(*peers, nullptr);
}

}  // namespace
}  // namespace ferry::store::pg
