#include "ferry/observe/secret_shapes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::observe {
namespace {

// The texts `find_secret_shapes` would mask in `text`.
std::vector<std::string> masked(std::string_view text) {
  std::vector<TextRange> ranges;
  find_secret_shapes(text, ranges);
  std::vector<std::string> out;
  for (const auto& r : ranges) out.emplace_back(text.substr(r.begin, r.end - r.begin));
  return out;
}

using Texts = std::vector<std::string>;

TEST(SecretShapes, JsonMembersWithSecretNames) {
  EXPECT_EQ(masked(R"({"access_token":"at-1","expires_in":3600})"), Texts{"at-1"});
  EXPECT_EQ(masked(R"({"refreshToken" : "rt \"quoted\" 2"})"), Texts{R"(rt \"quoted\" 2)"});
  EXPECT_EQ(masked(R"({"client_secret": 12345})"), Texts{"12345"});
  EXPECT_EQ(masked(R"({"jira_client_secret":"s"})"), Texts{"s"});
  EXPECT_EQ(masked(R"({"X-Api-Key":"k-9"})"), Texts{"k-9"});
  EXPECT_EQ(masked(R"({"password":"unterminated)"), Texts{"unterminated"});
}

TEST(SecretShapes, JsonNamesThatAreOnlySecretInQueries) {
  // Ferry's own error code and a Jira issue key are not secrets in JSON.
  EXPECT_TRUE(masked(R"({"error":{"code":"not_found"}})").empty());
  EXPECT_TRUE(masked(R"({"key":"PROJ-12","nextPageToken":"abc"})").empty());
}

TEST(SecretShapes, QueryAndFormParameters) {
  EXPECT_EQ(masked("/cb?code=auth-1&state=s"), Texts{"auth-1"});
  EXPECT_EQ(masked("grant_type=refresh_token&refresh_token=r-1&client_secret=c-1"),
            (Texts{"r-1", "c-1"}));
  EXPECT_EQ(masked("GET /maps?key=AIzaSy123 HTTP/1.1"), Texts{"AIzaSy123"});
  EXPECT_EQ(masked("a api_key=xyz b"), Texts{"xyz"});
  EXPECT_TRUE(masked("status_code=404&expires_in=3600&grant_type=refresh_token").empty());
}

TEST(SecretShapes, HeadersKeepTheSchemeAndMaskTheRest) {
  EXPECT_EQ(masked("Authorization: Bearer eyJ.abc.def\r\nAccept: */*"), Texts{"eyJ.abc.def"});
  EXPECT_EQ(masked("proxy-authorization:Basic dXNlcjpw"), Texts{"dXNlcjpw"});
  EXPECT_EQ(masked("Cookie: a=1; session=2\nnext"), Texts{"a=1; session=2"});
  EXPECT_EQ(masked("X-Api-Key: k-123 sent"), Texts{"k-123"});
  EXPECT_EQ(masked("x-goog-api-key:\tg-1"), Texts{"g-1"});
}

TEST(SecretShapes, SecretsInPathsAndAfterSchemes) {
  EXPECT_EQ(masked("/v1/api_key/k-77/items"), Texts{"k-77"});
  EXPECT_EQ(masked("https://x/token/t-5?x=1"), Texts{"t-5"});
  EXPECT_EQ(masked("sent bearer abcd1234 upstream"), Texts{"abcd1234"});
  EXPECT_TRUE(masked("Bearer ab").empty());
}

TEST(SecretShapes, OrdinaryTextIsLeftAlone) {
  for (std::string_view text : {"GET /rest/api/3/issue/PROJ-1 200 12ms", "https://example.com:443/a",
                                "tokens: 3 refreshed", "no secrets here = none"}) {
    EXPECT_TRUE(masked(text).empty()) << text;
  }
}

TEST(SecretShapes, RangesAscend) {
  std::vector<TextRange> ranges;
  find_secret_shapes("a token=1 b password=2 c \"secret\":\"3\"", ranges);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_LT(ranges[0].begin, ranges[1].begin);
  EXPECT_LT(ranges[1].begin, ranges[2].begin);
}

}  // namespace
}  // namespace ferry::observe
