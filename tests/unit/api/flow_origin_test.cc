#include "ferry/api/flow_origin.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(HttpOrigin, KeepsSchemeHostAndPortOfHttpUrls) {
  struct Case {
    const char* url;
    const char* origin;  // nullptr: not an http(s) origin
  };
  const Case cases[] = {
      {"https://app.example.com/settings?x=1#y", "https://app.example.com"},
      {"HTTP://App.Example.COM:8080/", "http://app.example.com:8080"},
      {"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
      {"http://[::1]:3000/page", "http://[::1]:3000"},
      {"javascript:alert(1)", nullptr},
      {"data:text/html,hi", nullptr},
      {"file:///etc/passwd", nullptr},
      {"https://user:pw@app.example.com/", nullptr},
      {"https:///path", nullptr},
      {"https://app.example.com:/", nullptr},
      {"//app.example.com/", nullptr},
      {"not a url", nullptr},
      {"", nullptr},
  };
  for (const Case& c : cases) {
    auto origin = http_origin(c.url);
    if (c.origin) {
      ASSERT_TRUE(origin) << c.url;
      EXPECT_EQ(*origin, c.origin) << c.url;
    } else {
      EXPECT_FALSE(origin) << c.url << " gave " << origin.value_or("");
    }
  }
}

TEST(RequestedOrigin, TheParameterWinsThenTheRefererThenNothing) {
  const std::string param = "https://app.example.com";
  EXPECT_EQ(*requested_origin(&param, "https://other.example.com/x"), "https://app.example.com");
  const std::string slash = "https://app.example.com/";
  EXPECT_EQ(*requested_origin(&slash, ""), "https://app.example.com");
  EXPECT_EQ(*requested_origin(nullptr, "https://app.example.com/connect?a=b"),
            "https://app.example.com");
  // A Referer that is not an http(s) URL is no origin: the caller falls back to its own.
  EXPECT_EQ(*requested_origin(nullptr, "about:blank"), "");
  EXPECT_EQ(*requested_origin(nullptr, ""), "");
}

// Found by fuzzing: a public flow's Referer or origin parameter of "http:?" made Boost.URL
// 1.81 abort on its own assertion, ending a debug server.
TEST(RequestedOrigin, ASchemeFollowedByOneCharacterThatIsNoPathIsNoOrigin) {
  for (const std::string text : {"http:?", "https:#", "http: ", "https:<"}) {
    EXPECT_FALSE(http_origin(text)) << text;
    EXPECT_EQ(*requested_origin(nullptr, text), "") << text;
    EXPECT_FALSE(requested_origin(&text, "")) << text;
  }
}

TEST(RequestedOrigin, AParameterThatIsNotAnOriginIsRefused) {
  for (const std::string bad :
       {"*", "null", "/", "https://app.example.com/page", "https://app.example.com/?q",
        "https://app.example.com#f", "javascript:alert(1)", "https://a\"b.example.com",
        "https://app.example.com\"</script>", ""}) {
    auto origin = requested_origin(&bad, "https://fine.example.com/");
    ASSERT_FALSE(origin) << bad;
    EXPECT_EQ(origin.error().code, Errc::invalid_argument);
    EXPECT_NE(origin.error().message.find("origin"), std::string::npos);
  }
}

}  // namespace
}  // namespace ferry::api
