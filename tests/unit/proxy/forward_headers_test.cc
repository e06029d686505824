#include "ferry/proxy/forward_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::proxy {
namespace {

const HeaderList kIdentity = {{"Accept-Encoding", "identity"}};

HeaderList with_identity(HeaderList headers) {
  headers.insert(headers.end(), kIdentity.begin(), kIdentity.end());
  return headers;
}

// Name and value of each outbound header, in order.
HeaderList fields_of(const std::vector<http::OutboundHeader>& headers) {
  HeaderList out;
  for (const auto& h : headers) out.emplace_back(h.name, h.value);
  return out;
}

TEST(ForwardRequestHeaders, DecidesWhatGoesUpstream) {
  struct Case {
    std::string_view what;
    HeaderViews inbound;
    HeaderList upstream;
  };
  const Case cases[] = {
      {"ordinary end-to-end headers are kept in order",
       {{"Content-Type", "application/json"},
        {"Accept", "application/json"},
        {"User-Agent", "sdk/1"},
        {"X-Custom", "a, b"}},
       with_identity({{"Content-Type", "application/json"},
                      {"Accept", "application/json"},
                      {"User-Agent", "sdk/1"},
                      {"X-Custom", "a, b"}})},
      {"the caller's Authorization carries Ferry's key and is never forwarded",
       {{"Authorization", "Bearer ferry-secret-key"}, {"authorization", "Basic x"}},
       kIdentity},
      {"Nango-Proxy-Authorization is the caller's deliberate upstream Authorization",
       {{"Authorization", "Bearer ferry-secret-key"}, {"Nango-Proxy-Authorization", "Bearer up"}},
       with_identity({{"Authorization", "Bearer up"}})},
      {"the prefix is case-insensitive and the rest of the name is kept",
       {{"nango-proxy-X-Atlassian-Token", "no-check"}, {"NANGO-PROXY-accept", "text/csv"}},
       with_identity({{"X-Atlassian-Token", "no-check"}, {"accept", "text/csv"}})},
      {"an explicit Nango-Proxy-<Name> replaces the plain field of that name",
       {{"Accept", "*/*"}, {"X-A", "1"}, {"Nango-Proxy-accept", "application/xml"}},
       with_identity({{"X-A", "1"}, {"accept", "application/xml"}})},
      {"hop-by-hop fields are dropped",
       {{"Connection", "keep-alive"},
        {"Keep-Alive", "timeout=5"},
        {"Proxy-Authenticate", "Basic"},
        {"Proxy-Authorization", "Basic eA=="},
        {"TE", "trailers"},
        {"Trailer", "X-Sum"},
        {"Transfer-Encoding", "chunked"},
        {"Upgrade", "websocket"},
        {"Proxy-Connection", "close"},
        {"X-Kept", "1"}},
       with_identity({{"X-Kept", "1"}})},
      {"fields named by Connection are hop-by-hop",
       {{"Connection", "X-Hop, x-other ,close"}, {"X-Hop", "1"}, {"X-Other", "2"}, {"X-End", "3"}},
       with_identity({{"X-End", "3"}})},
      {"fields the forwarder frames itself are dropped",
       {{"Host", "ferry.local"}, {"Content-Length", "12"}, {"Expect", "100-continue"}},
       kIdentity},
      {"renamed fields cannot smuggle hop-by-hop or framing headers",
       {{"Nango-Proxy-Host", "evil.test"},
        {"Nango-Proxy-Content-Length", "0"},
        {"Nango-Proxy-Transfer-Encoding", "chunked"},
        {"Nango-Proxy-Connection", "close"},
        {"Nango-Proxy-Upgrade", "h2c"},
        {"Nango-Proxy-", "empty name"}},
       kIdentity},
      {"Ferry's control headers are dropped",
       {{"Connection-Id", "user-1"},
        {"Provider-Config-Key", "jira"},
        {"Retries", "3"},
        {"Retry-On", "500"},
        {"Base-Url-Override", "https://x.test"},
        {"Nango-Activity-Log-Id", "1"},
        {"Decompress", "true"},
        {"Forward-Headers-On-Redirect", "true"},
        {"Nango-Is-Sync", "true"},
        {"Nango-Is-Dry-Run", "false"},
        {"connection-id", "lower"}},
       kIdentity},
      {"a control header may still be sent upstream on purpose",
       {{"Nango-Proxy-Retries", "7"}},
       with_identity({{"Retries", "7"}})},
      {"the caller's Accept-Encoding is replaced by identity",
       {{"Accept-Encoding", "gzip, deflate, br"}},
       kIdentity},
      {"Nango-Proxy-Accept-Encoding opts into compressed bodies",
       {{"Accept-Encoding", "gzip"}, {"Nango-Proxy-Accept-Encoding", "br"}},
       {{"Accept-Encoding", "br"}}},
      {"a Nango-Proxy field named by Connection is dropped",
       {{"Connection", "Nango-Proxy-X-A"}, {"Nango-Proxy-X-A", "1"}, {"X-A", "plain"}},
       with_identity({{"X-A", "plain"}})},
      {"no headers at all", {}, kIdentity},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fields_of(forward_request_headers(c.inbound)), c.upstream) << c.what;
  }
}

TEST(ForwardRequestHeaders, EachHeaderSaysWhereItCameFrom) {
  auto upstream = forward_request_headers(
      {{"Accept", "*/*"}, {"Nango-Proxy-Authorization", "Bearer up"}});
  ASSERT_EQ(upstream.size(), 3u);
  EXPECT_EQ(upstream[0].source, http::kFromCaller);
  EXPECT_EQ(upstream[1].source, kFromNangoProxyHeader);
  EXPECT_EQ(upstream[2].source, http::kFromFerry);  // Accept-Encoding: identity
}

// Values are checked where the request is sent (http/client/header_check.h), whatever
// produced them: here they only keep their source for that check's message.
TEST(ForwardRequestHeaders, LeavesValueChecksToTheSink) {
  auto upstream =
      forward_request_headers({{"Nango-Proxy-X-Site", std::string_view("a\r\nHost: evil")}});
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_EQ(upstream[0].name, "X-Site");
  EXPECT_EQ(upstream[0].source, kFromNangoProxyHeader);
}

TEST(ActionRequestHeaders, AreTheActionsOwnMinusFramingAndHopByHop) {
  auto upstream = action_request_headers({{"Content-Type", "application/json"},
                                          {"Authorization", "Bearer own"},
                                          {"Host", "evil.test"},
                                          {"Content-Length", "3"},
                                          {"Connection", "close"},
                                          {"X-Atlassian-Token", "no-check"}});
  EXPECT_EQ(fields_of(upstream), with_identity({{"Content-Type", "application/json"},
                                                {"Authorization", "Bearer own"},
                                                {"X-Atlassian-Token", "no-check"}}));
  for (std::size_t i = 0; i + 1 < upstream.size(); ++i) {
    EXPECT_EQ(upstream[i].source, kFromAction);
  }
  EXPECT_EQ(fields_of(action_request_headers({{"accept-encoding", "gzip"}})),
            HeaderList({{"accept-encoding", "gzip"}}));
}

TEST(IsHopByHop, KnowsTheStandardListInAnyCase) {
  for (std::string_view name :
       {"connection", "KEEP-ALIVE", "Proxy-Authenticate", "proxy-authorization", "te", "Trailer",
        "transfer-encoding", "Upgrade", "Proxy-Connection"}) {
    EXPECT_TRUE(is_hop_by_hop(name)) << name;
  }
  for (std::string_view name : {"Content-Type", "Trailers", "Authorization", "Host", ""}) {
    EXPECT_FALSE(is_hop_by_hop(name)) << name;
  }
}

TEST(FilterResponseHeaders, KeepsEndToEndHeadersOnly) {
  struct Case {
    std::string_view what;
    HeaderViews upstream;
    HeaderViews caller;
  };
  const Case cases[] = {
      {"end-to-end headers pass unchanged and in order",
       {{"Content-Type", "application/json"},
        {"Retry-After", "5"},
        {"X-RateLimit-Reset", "9"},
        {"Content-Encoding", "gzip"},
        {"Set-Cookie", "a=1"},
        {"Set-Cookie", "b=2"}},
       {{"Content-Type", "application/json"},
        {"Retry-After", "5"},
        {"X-RateLimit-Reset", "9"},
        {"Content-Encoding", "gzip"},
        {"Set-Cookie", "a=1"},
        {"Set-Cookie", "b=2"}}},
      {"hop-by-hop headers are dropped",
       {{"Connection", "keep-alive"},
        {"Keep-Alive", "timeout=5"},
        {"Transfer-Encoding", "chunked"},
        {"Trailer", "X-Sum"},
        {"Upgrade", "h2"},
        {"Proxy-Authenticate", "Basic"},
        {"TE", "x"},
        {"Proxy-Connection", "close"},
        {"ETag", "\"1\""}},
       {{"ETag", "\"1\""}}},
      {"fields named by the response's Connection are dropped",
       {{"Connection", "X-Internal"}, {"x-internal", "1"}, {"X-Public", "2"}},
       {{"X-Public", "2"}}},
      {"Content-Length is left to the server that re-frames the body",
       {{"Content-Length", "42"}, {"Content-Type", "text/plain"}},
       {{"Content-Type", "text/plain"}}},
      {"nothing in, nothing out", {}, {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(filter_response_headers(c.upstream), c.caller) << c.what;
  }
}

}  // namespace
}  // namespace ferry::proxy
