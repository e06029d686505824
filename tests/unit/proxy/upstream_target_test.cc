#include "ferry/proxy/upstream_target.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace ferry::proxy {
namespace {

BaseUrl base(std::string_view text) {
  auto parsed = BaseUrl::parse(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().message);
  return *parsed;
}

TEST(BaseUrl, SplitsSchemeHostPortAndPath) {
  struct Case {
    std::string_view text, scheme, host;
    std::uint16_t port;
    std::string_view path, origin;
  };
  const Case cases[] = {
      {"https://api.atlassian.com/", "https", "api.atlassian.com", 443, "/",
       "https://api.atlassian.com"},
      {"https://api.atlassian.com", "https", "api.atlassian.com", 443, "/",
       "https://api.atlassian.com"},
      {"HTTPS://API.Atlassian.COM/", "https", "api.atlassian.com", 443, "/",
       "https://api.atlassian.com"},
      {"https://app.asana.com/api/1.0", "https", "app.asana.com", 443, "/api/1.0/",
       "https://app.asana.com"},
      {"https://app.asana.com/api/1.0/", "https", "app.asana.com", 443, "/api/1.0/",
       "https://app.asana.com"},
      {"http://127.0.0.1:8080/fake", "http", "127.0.0.1", 8080, "/fake/", "http://127.0.0.1:8080"},
      {"http://example.test:80/", "http", "example.test", 80, "/", "http://example.test"},
      {"https://example.test:443", "https", "example.test", 443, "/", "https://example.test"},
      {"http://[::1]:9000/", "http", "[::1]", 9000, "/", "http://[::1]:9000"},
      {"http://example.test/", "http", "example.test", 80, "/", "http://example.test"},
  };
  for (const auto& c : cases) {
    auto parsed = BaseUrl::parse(c.text);
    ASSERT_TRUE(parsed) << c.text;
    EXPECT_EQ(parsed->scheme(), c.scheme) << c.text;
    EXPECT_EQ(parsed->host(), c.host) << c.text;
    EXPECT_EQ(parsed->port(), c.port) << c.text;
    EXPECT_EQ(parsed->path(), c.path) << c.text;
    EXPECT_EQ(parsed->origin(), c.origin) << c.text;
    EXPECT_EQ(parsed->is_https(), c.scheme == "https") << c.text;
  }
}

TEST(BaseUrl, RejectsAnythingButAPlainHttpOrHttpsBase) {
  for (std::string_view text : {"",
                                "api.atlassian.com",
                                "/relative/path",
                                "ftp://example.test/",
                                "javascript:alert(1)",
                                "file:///etc/passwd",
                                "https:example.test",
                                "https:///no-host",
                                "https://user:hunter2@example.test/",
                                "https://user@example.test/",
                                "https://example.test/?a=1",
                                "https://example.test/#frag",
                                "https://example.test:0/",
                                "https://example.test:99999/",
                                "https://example.test:12ab/",
                                "https://ex%61mple.test/",
                                "https://example.test/a/../b/",
                                "https://example.test/./",
                                "https://exa mple.test/",
                                "https://example.test\\evil.test/"}) {
    auto parsed = BaseUrl::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument) << text;
  }
}

// Found by fuzzing: one character after "https:" that cannot start a path made Boost.URL
// 1.81 abort on its own assertion (a Base-Url-Override of "https:?" ended a debug server).
TEST(BaseUrl, RefusesASchemeFollowedByOneCharacterThatIsNoPath) {
  for (std::string_view text : {"https:?", "https:#", "https: ", "http:<", "https:\x16"}) {
    auto parsed = BaseUrl::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument) << text;
  }
}

TEST(BaseUrl, ErrorMessagesNeverRepeatTheUrl) {
  auto parsed = BaseUrl::parse("https://admin:s3cr3t-pass@example.test/");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message.find("s3cr3t-pass"), std::string::npos);
  EXPECT_EQ(parsed.error().message.find("example.test"), std::string::npos);
}

// Every endpoint below tries to leave the base host, confuse a server's path handling or
// smuggle bytes into the request line; each must be refused before anything is sent.
TEST(UpstreamTarget, RejectsEndpointsThatLeaveTheBaseHost) {
  const auto jira = base("https://api.atlassian.com/");
  const std::string_view endpoints[] = {
      // Absolute URLs and scheme prefixes.
      "https://evil.test/x", "http://evil.test/", "HTTPS://evil.test/", "HtTp://evil.test",
      "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp:evil.test",
      "/https://evil.test/x", "evil.test:443/x", "PROJ-1:foo/bar",
      // Network-path references and backslashes.
      "//evil.test/x", "///evil.test/x", "\\\\evil.test/x", "\\evil.test", "/\\evil.test",
      "ex/jira\\..\\admin", "ex\\x",
      // Userinfo.
      "x@evil.test/", "ex/jira@evil.test", "ex/a%40evil.test", "ex/a%40",
      // Encoded slashes and backslashes.
      "ex%2F..%2Fadmin", "ex/%2fadmin", "ex/%2Fadmin", "ex/%5cadmin", "ex/%5Cadmin",
      "%2F%2Fevil.test",
      // Double encoding.
      "ex/%252f", "ex/%252e%252e/admin", "ex/%255C", "ex/%2540evil",
      // Control characters, raw and encoded.
      std::string_view("ex/a\0b", 6), "ex/a\r\nHost: evil.test", "ex/a\nb", "ex/a\tb", "ex/a\x7f",
      "ex/%00", "ex/%0d%0aHost:%20evil", "ex/%0A", "ex/%1f", "ex/%7F",
      // Raw spaces.
      "ex/a b", "ex/a HTTP/1.1",
      // Dot segments.
      "..", "../admin", "ex/../admin", "ex/..", "ex/./x", ".", "./x", "ex/%2e%2e/admin",
      "ex/%2E%2E/admin", "ex/.%2e/admin", "ex/%2e/x", "ex/..;/admin", "ex/%2e%2e;x/admin",
      // Fragments and queries inside the endpoint.
      "ex/a#frag", "ex/#", "ex/a?b=c",
      // Invalid percent-encoding.
      "ex/%zz", "ex/%2", "ex/%", "ex/%g0", "ex/%u002e%u002e",
      // Non-ASCII raw bytes and invalid UTF-8 behind escapes (overlong '.' and '/').
      "ex/caf\xc3\xa9", "ex/\xef\xbc\x8f", "ex/%c0%ae%c0%ae/admin", "ex/%c0%af", "ex/%ff",
      "ex/%e0%80%ae",
      // What Boost.URL refuses in a path, and empty endpoints.
      "ex/{id}", "ex/a|b", "ex/a\"b", "ex/<x>", "", "/"};
  for (std::string_view endpoint : endpoints) {
    auto target = UpstreamTarget::build(jira, endpoint, "");
    ASSERT_FALSE(target) << "accepted: " << endpoint;
    EXPECT_EQ(target.error().code, Errc::invalid_argument) << endpoint;
  }
}

TEST(UpstreamTarget, RejectsQueriesWithRawControlBytesSpacesOrFragments) {
  const auto jira = base("https://api.atlassian.com/");
  const std::string_view queries[] = {"a=1\r\nHost: evil.test",
                                      "a=\n",
                                      "a=\r",
                                      std::string_view("a=\0", 3),
                                      "a=\x7f",
                                      "a=\t",
                                      "a=b c",
                                      "a=1#frag",
                                      "a=%zz",
                                      "a=%",
                                      "a=caf\xc3\xa9",
                                      "a={x}"};
  for (std::string_view query : queries) {
    auto target = UpstreamTarget::build(jira, "rest/api/3/search", query);
    ASSERT_FALSE(target) << "accepted query: " << query;
    EXPECT_EQ(target.error().code, Errc::invalid_argument) << query;
  }
}

TEST(UpstreamTarget, ErrorMessagesNameTheProblemWithoutEchoingTheInput) {
  const auto jira = base("https://api.atlassian.com/");
  const std::string huge = "ex/" + std::string(100'000, 'a') + "/%2fsecret-marker";
  auto target = UpstreamTarget::build(jira, huge, "");
  ASSERT_FALSE(target);
  EXPECT_LT(target.error().message.size(), 200u);
  EXPECT_EQ(target.error().message.find("secret-marker"), std::string::npos);
  EXPECT_NE(target.error().message.find("slash"), std::string::npos);
}

TEST(UpstreamTarget, AcceptsOrdinaryEndpoints) {
  struct Case {
    std::string_view endpoint, query, target;
  };
  // A ':' after the first segment is an ordinary path character (RFC 3986 §3.3).
  const Case cases[] = {
      {"ex/jira/abc/rest/api/3/myself", "", "/ex/jira/abc/rest/api/3/myself"},
      {"/ex/jira/abc/rest/api/3/myself", "", "/ex/jira/abc/rest/api/3/myself"},
      {"rest/api/3/search", "jql=project%3DPROJ&maxResults=50",
       "/rest/api/3/search?jql=project%3DPROJ&maxResults=50"},
      {"wiki/spaces/My%20Space", "", "/wiki/spaces/My%20Space"},
      {"rest/api/3/issue/PROJ-1:foo", "", "/rest/api/3/issue/PROJ-1:foo"},
      {"v4/spreadsheets/abc/values:batchGet", "", "/v4/spreadsheets/abc/values:batchGet"},
      {"PROJ-1%3Afoo/bar", "", "/PROJ-1%3Afoo/bar"},
      {"users/~alice", "", "/users/~alice"},
      {"pages/caf%C3%A9", "", "/pages/caf%C3%A9"},
      {"a/b/", "", "/a/b/"},
      {"a//b", "", "/a//b"},
      {"files/report.v2.json", "", "/files/report.v2.json"},
      {"dir/...", "", "/dir/..."},
      {"dir/.hidden", "", "/dir/.hidden"},
      {"tags/%23general", "", "/tags/%23general"},
      {"search", "q=a%0Ab&x=%25&next=/a/b?c", "/search?q=a%0Ab&x=%25&next=/a/b?c"},
      {"search", "redirect=https://other.test/@x", "/search?redirect=https://other.test/@x"},
      {"items;v=1", "", "/items;v=1"},
  };
  const auto jira = base("https://api.atlassian.com/");
  for (const auto& c : cases) {
    auto target = UpstreamTarget::build(jira, c.endpoint, c.query);
    ASSERT_TRUE(target) << c.endpoint << ": " << target.error().message;
    EXPECT_EQ(target->target(), c.target) << c.endpoint;
    EXPECT_EQ(target->url(), "https://api.atlassian.com" + std::string(c.target)) << c.endpoint;
    EXPECT_EQ(target->host_header(), "api.atlassian.com");
  }
}

TEST(UpstreamTarget, JoinsBaseAndEndpointWithExactlyOneSlash) {
  struct Case {
    std::string_view base, endpoint, url;
  };
  const Case cases[] = {
      {"https://api.atlassian.com/", "rest/api/3/myself",
       "https://api.atlassian.com/rest/api/3/myself"},
      {"https://api.atlassian.com/", "/rest/api/3/myself",
       "https://api.atlassian.com/rest/api/3/myself"},
      {"https://api.atlassian.com", "rest/api/3/myself",
       "https://api.atlassian.com/rest/api/3/myself"},
      {"https://api.atlassian.com", "/rest/api/3/myself",
       "https://api.atlassian.com/rest/api/3/myself"},
      {"https://app.asana.com/api/1.0/", "users/me", "https://app.asana.com/api/1.0/users/me"},
      {"https://app.asana.com/api/1.0/", "/users/me", "https://app.asana.com/api/1.0/users/me"},
      {"https://app.asana.com/api/1.0", "users/me", "https://app.asana.com/api/1.0/users/me"},
      {"https://app.asana.com/api/1.0", "/users/me", "https://app.asana.com/api/1.0/users/me"},
      {"http://127.0.0.1:8080/fake/", "/x", "http://127.0.0.1:8080/fake/x"},
  };
  for (const auto& c : cases) {
    auto target = UpstreamTarget::build(base(c.base), c.endpoint, "");
    ASSERT_TRUE(target) << c.base << " + " << c.endpoint;
    EXPECT_EQ(target->url(), c.url) << c.base << " + " << c.endpoint;
  }
}

TEST(UpstreamTarget, HostHeaderCarriesOnlyANonDefaultPort) {
  auto local = UpstreamTarget::build(base("http://127.0.0.1:8080/"), "x", "");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->host_header(), "127.0.0.1:8080");
  auto tls = UpstreamTarget::build(base("https://Example.Test:443/"), "x", "");
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->host_header(), "example.test");
  EXPECT_EQ(tls->url(), "https://example.test/x");
}

TEST(UpstreamTarget, WithParamsAppendsEncodedParameters) {
  struct Case {
    std::string_view query;
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view target;
  };
  const Case cases[] = {
      {"", {}, "/rest/api/3/search"},
      {"", {{"key", "v"}}, "/rest/api/3/search?key=v"},
      {"a=1", {{"key", "v"}}, "/rest/api/3/search?a=1&key=v"},
      {"a=1", {{"a", "2"}, {"b", "3"}}, "/rest/api/3/search?a=1&a=2&b=3"},
      {"", {{"q", "a&b=c#d"}}, "/rest/api/3/search?q=a%26b%3Dc%23d"},
      {"", {{"k y", "x+y z/é"}}, "/rest/api/3/search?k%20y=x%2By%20z%2F%C3%A9"},
      {"", {{"evil", "\r\nHost: x"}}, "/rest/api/3/search?evil=%0D%0AHost%3A%20x"},
      {"", {{"e", ""}}, "/rest/api/3/search?e="},
  };
  const auto jira = base("https://api.atlassian.com/");
  for (const auto& c : cases) {
    auto target = UpstreamTarget::build(jira, "rest/api/3/search", c.query);
    ASSERT_TRUE(target) << c.query;
    auto extended = target->with_params(c.params);
    EXPECT_EQ(extended.target(), c.target);
    EXPECT_EQ(extended.url(), "https://api.atlassian.com" + std::string(c.target));
    EXPECT_EQ(target->target().find("key="), std::string::npos) << "original was modified";
  }
}

}  // namespace
}  // namespace ferry::proxy
