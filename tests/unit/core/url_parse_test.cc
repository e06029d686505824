#include "ferry/core/url_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry {
namespace {

// Boost.URL 1.81 aborts on these (an assertion in its path bookkeeping); the wrappers refuse
// them instead.
TEST(UrlParse, RefusesASchemeFollowedByOneCharacterThatIsNoPath) {
  for (const std::string text : {"http:?", "a:#", "https: ", "http:<", "x:\x16", "mailto:\""}) {
    EXPECT_FALSE(parse_uri(text)) << text;
    EXPECT_FALSE(parse_absolute_uri(text)) << text;
    EXPECT_FALSE(parse_uri_reference(text)) << text;
  }
}

TEST(UrlParse, ParsesEverythingElseAsBoostUrlDoes) {
  auto full = parse_uri("https://api.atlassian.com/ex/jira?x=1#f");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->encoded_host(), "api.atlassian.com");
  EXPECT_EQ(full->encoded_path(), "/ex/jira");
  EXPECT_EQ(full->encoded_query(), "x=1");
  // One character that can start a path, or nothing at all, is fine.
  for (const std::string text : {"a:b", "a:/", "a:", "mailto:x@y.test", "https:x"}) {
    EXPECT_TRUE(parse_uri(text)) << text;
    EXPECT_TRUE(parse_absolute_uri(text)) << text;
  }
  // References without a scheme, as a Link header writes them.
  for (const std::string text : {"?page=2", "#top", "/rest/api/3/search?startAt=50", "x"}) {
    EXPECT_TRUE(parse_uri_reference(text)) << text;
  }
  EXPECT_FALSE(parse_absolute_uri("https://example.test/#fragment"));
  EXPECT_FALSE(parse_uri("not a url"));
}

}  // namespace
}  // namespace ferry
