#include "ferry/http/client/proxy_settings.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

Origin https(std::string host, std::uint16_t port = 443) { return Origin{true, std::move(host), port}; }
Origin plain(std::string host, std::uint16_t port = 80) { return Origin{false, std::move(host), port}; }

TEST(ProxySettings, TunnelsEachSchemeThroughItsOwnProxy) {
  auto settings = ProxySettings::from_values("http://proxy.internal:3128", "proxy.plain:8080", "");
  ASSERT_TRUE(settings) << settings.error().message;
  auto for_https = settings->proxy_for(https("api.atlassian.com"));
  ASSERT_TRUE(for_https);
  EXPECT_EQ(for_https->host, "proxy.internal");
  EXPECT_EQ(for_https->port, 3128);
  auto for_http = settings->proxy_for(plain("example.test"));
  ASSERT_TRUE(for_http);
  EXPECT_EQ(for_http->host, "proxy.plain");
  EXPECT_EQ(for_http->port, 8080);
}

TEST(ProxySettings, NoProxyMatchesHostsSuffixesPortsAndStar) {
  auto settings = ProxySettings::from_values("http://proxy:3128", "",
                                             "localhost, .corp.test,example.org,10.0.0.1:8443");
  ASSERT_TRUE(settings);
  struct Case {
    Origin target;
    bool proxied;
  };
  const Case cases[] = {
      {https("api.atlassian.com"), true},   {https("localhost"), false},
      {https("a.corp.test"), false},        {https("corp.test.evil"), true},
      {https("example.org"), false},        {https("www.example.org"), false},
      {https("notexample.org"), true},      {https("10.0.0.1", 8443), false},
      {https("10.0.0.1", 443), true},       {plain("localhost"), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(settings->proxy_for(c.target).has_value(), c.proxied) << c.target.key();
  }
  auto star = ProxySettings::from_values("http://proxy:3128", "", "*");
  ASSERT_TRUE(star);
  EXPECT_FALSE(star->proxy_for(https("anything.test")));
}

TEST(ProxySettings, RejectsProxiesThatAreNotHttpUrls) {
  for (const char* bad : {"https://proxy:3128", "socks5://proxy:1080", "http://"}) {
    auto settings = ProxySettings::from_values(bad, "", "");
    ASSERT_FALSE(settings) << bad;
    EXPECT_EQ(settings.error().code, Errc::invalid_argument);
  }
  auto none = ProxySettings::from_values("", "", "");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->proxy_for(https("api.atlassian.com")));
}

}  // namespace
}  // namespace ferry::http
