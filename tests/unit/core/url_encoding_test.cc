#include "ferry/core/url_encoding.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a/b?c=d&e#f g"), "a%2Fb%3Fc%3Dd%26e%23f%20g");
  EXPECT_EQ(percent_encode("ä\r\n"), "%C3%A4%0D%0A");
}

TEST(FormEncode, JoinsEncodedPairsInOrder) {
  EXPECT_EQ(form_encode({{"b", "1 2"}, {"a", "x&y=z"}}), "b=1%202&a=x%26y%3Dz");
  EXPECT_EQ(form_encode({}), "");
  std::string query = "q=1";
  append_query_param(query, "tenant", "acme co");
  EXPECT_EQ(query, "q=1&tenant=acme%20co");
}

TEST(EncodeTargetChars, EncodesWhatCannotStandRawAndKeepsWhatIsAlreadyEncoded) {
  EXPECT_EQ(encode_target_chars("/ex/jira/${connectionConfig.cloudId}/rest?jql=a b"),
            "/ex/jira/$%7BconnectionConfig.cloudId%7D/rest?jql=a%20b");
  EXPECT_EQ(encode_target_chars("/already%20encoded/x:y@z"), "/already%20encoded/x:y@z");
  EXPECT_EQ(encode_target_chars("/a#b"), "/a%23b");
}

}  // namespace
}  // namespace ferry
