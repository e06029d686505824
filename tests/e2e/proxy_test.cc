// The proxy end to end: the real binary between the test and loopback upstreams (plain HTTP
// and HTTPS with a throwaway CA). Methods, bodies, streaming, headers, credentials for each
// auth mode, the host-escape guard, upstream failures, the activity log, and secrets.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ferry_fixture.h"
#include "test_certificates.h"
#include "test_upstream.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecretKey = "proxy-secret-key-0123456789abcdef";
constexpr const char* kClientSecret = "proxy-client-secret-0123456789";
constexpr const char* kAccessToken = "proxy-access-token-abcdef0123456789";
constexpr const char* kRefreshToken = "proxy-refresh-token-abcdef0123456789";
constexpr const char* kApiKey = "proxy-api-key-abcdef0123456789";
constexpr const char* kPassword = "proxy-password-abcdef0123456789";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One Ferry with integrations pointing at a plain and a TLS upstream; shared by the tests
// of this file (starting it is the slow part).
class ProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TestCertificates(TestCertificates::generate(make_temp_dir("ferry-certs")));
    plain_ = TestUpstream::start({}).release();
    tls_ = TestUpstream::start({true, certs_->server_cert, certs_->server_key}).release();
    untrusted_ = TestUpstream::start({true, certs_->untrusted_cert, certs_->untrusted_key}).release();
    dir_ = new std::string(make_temp_dir("ferry-proxy"));
    const std::string plain = "http://127.0.0.1:" + std::to_string(plain_->port());
    write_file(*dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecretKey +
                                          "\nmain_server_log_level: debug\nca_file: " +
                                          certs_->ca_file + "\n" +
                                          egress_allow_loopback_yaml());
    write_file(*dir_ + "/integrations.yaml",
               std::string("integrations:\n") +
                   "  oauth:\n"
                   "    auth:\n"
                   "      auth_mode: OAUTH2\n"
                   "      authorization_url: " + plain + "/authorize\n"
                   "      token_url: " + plain + "/token\n"
                   "    oauth_client_id: proxy-client\n"
                   "    oauth_client_secret: " + kClientSecret + "\n"
                   "    requests:\n"
                   "      base_url: " + plain + "/\n"
                   "      headers:\n"
                   "        authorization: Bearer ${access_token}\n"
                   "        x-cloud: ${connectionConfig.cloudId}\n"
                   "      params:\n"
                   "        tenant: ${metadata.tenant}\n"
                   "  apikey:\n"
                   "    auth:\n"
                   "      auth_mode: API_KEY\n"
                   "    requests:\n"
                   "      base_url: " + tls_->base_url() + "\n"
                   "      headers:\n"
                   "        x-api-key: ${api_key}\n"
                   "  basic:\n"
                   "    auth:\n"
                   "      auth_mode: USERNAME_PASSWORD\n"
                   "    requests:\n"
                   "      base_url: " + plain + "/echo/\n"
                   "      headers:\n"
                   "        authorization: Basic ${basic_auth_encoded}\n"
                   "  slow:\n"
                   "    auth:\n"
                   "      auth_mode: API_KEY\n"
                   "    http_request_timeout_seconds: 1\n"
                   "    requests:\n"
                   "      base_url: " + plain + "/\n"
                   "  unreachable:\n"
                   "    auth:\n"
                   "      auth_mode: API_KEY\n"
                   "    requests:\n"
                   "      base_url: http://127.0.0.1:1/\n"
                   "  untrusted:\n"
                   "    auth:\n"
                   "      auth_mode: API_KEY\n"
                   "    requests:\n"
                   "      base_url: " + untrusted_->base_url() + "\n");
    // Under AddressSanitizer, freed memory sits in a quarantine (256 MiB by default) that
    // would read as growth in the flat-memory test; a small one keeps RSS meaningful.
    server_ = new RunningFerry(*dir_, {"ASAN_OPTIONS=quarantine_size_mb=4:detect_leaks=1"});
    register_connection({{"provider_config_key", "oauth"},
                         {"connection_id", "u1"},
                         {"credentials",
                          {{"type", "OAUTH2"},
                           {"access_token", kAccessToken},
                           {"refresh_token", kRefreshToken},
                           {"expires_at", "2099-01-01T00:00:00Z"}}},
                         {"connection_config", {{"cloudId", "cloud-42"}}},
                         {"metadata", {{"tenant", "acme"}}}});
    for (const char* key : {"apikey", "slow", "unreachable", "untrusted"}) {
      register_connection({{"provider_config_key", key},
                           {"connection_id", "u1"},
                           {"credentials", {{"type", "API_KEY"}, {"api_key", kApiKey}}}});
    }
    register_connection({{"provider_config_key", "basic"},
                         {"connection_id", "u1"},
                         {"credentials",
                          {{"type", "BASIC"}, {"username", "alice"}, {"password", kPassword}}}});
  }

  static void TearDownTestSuite() {
    delete server_;
    delete plain_;
    delete tls_;
    delete untrusted_;
    delete certs_;
    delete dir_;
  }

  static void register_connection(const json& body) {
    auto reply = server_->client().request(
        "POST", "/connections",
        {{"Authorization", std::string("Bearer ") + kSecretKey}, {"Content-Type", "application/json"}},
        body.dump());
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  static Headers proxy_headers(const std::string& integration, Headers extra = {}) {
    Headers headers = {{"Authorization", std::string("Bearer ") + kSecretKey},
                       {"Connection-Id", "u1"},
                       {"Provider-Config-Key", integration}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return headers;
  }

  static HttpReply proxy(const std::string& method, const std::string& integration,
                         const std::string& endpoint, const std::string& body = "",
                         Headers extra = {}) {
    HttpClient client("127.0.0.1", server_->port());
    return client.request(method, "/proxy/" + endpoint, proxy_headers(integration, extra), body);
  }

  static TestCertificates* certs_;
  static TestUpstream* plain_;
  static TestUpstream* tls_;
  static TestUpstream* untrusted_;
  static std::string* dir_;
  static RunningFerry* server_;
};

TestCertificates* ProxyTest::certs_ = nullptr;
TestUpstream* ProxyTest::plain_ = nullptr;
TestUpstream* ProxyTest::tls_ = nullptr;
TestUpstream* ProxyTest::untrusted_ = nullptr;
std::string* ProxyTest::dir_ = nullptr;
RunningFerry* ProxyTest::server_ = nullptr;

TEST_F(ProxyTest, EveryMethodReachesTheUpstreamWithCredentialsInjected) {
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    auto reply = proxy(method, "oauth", "echo/items/7?q=a%20b&x=1", method[0] == 'P' ? "{}" : "",
                       {{"Nango-Proxy-X-Custom", "hello"}, {"Content-Type", "application/json"}});
    ASSERT_EQ(reply.status, 200) << method << ": " << reply.body;
    auto seen = plain_->last();
    EXPECT_EQ(seen.method, method);
    // The caller's query string is kept as sent; the integration's params follow it.
    EXPECT_EQ(seen.target, "/echo/items/7?q=a%20b&x=1&tenant=acme") << method;
    auto header = [&](const std::string& name) {
      auto it = seen.headers.find(name);
      return it == seen.headers.end() ? std::string("<absent>") : it->second;
    };
    EXPECT_EQ(header("authorization"), std::string("Bearer ") + kAccessToken) << method;
    EXPECT_EQ(header("x-cloud"), "cloud-42");
    EXPECT_EQ(header("x-custom"), "hello");
    EXPECT_EQ(header("content-type"), "application/json");
    EXPECT_EQ(header("connection-id"), "<absent>");
    EXPECT_EQ(header("provider-config-key"), "<absent>");
    EXPECT_EQ(header("host"), "127.0.0.1:" + std::to_string(plain_->port()));
  }
}

TEST_F(ProxyTest, HeadReturnsTheUpstreamHeadersWithoutABody) {
  auto reply = proxy("HEAD", "oauth", "head-check");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-length"), "1234");
  EXPECT_TRUE(reply.body.empty());
  auto get = proxy("GET", "oauth", "head-check");
  EXPECT_EQ(get.body.size(), 1234u);
}

TEST_F(ProxyTest, EndpointPlaceholdersResolveFromTheConnection) {
  auto reply = proxy("GET", "oauth", "echo/ex/jira/%24%7BconnectionConfig.cloudId%7D/myself");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(plain_->last().target, "/echo/ex/jira/cloud-42/myself?tenant=acme");
  auto missing = proxy("GET", "oauth", "echo/%24%7BconnectionConfig.nope%7D");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("connectionConfig.nope"), std::string::npos) << missing.body;
}

TEST_F(ProxyTest, JsonAndBinaryBodiesArriveIntact) {
  std::string binary;
  for (unsigned i = 0; i < 300000; ++i) binary.push_back(static_cast<char>((i * 7919u) % 256u));
  for (const std::string& body : {std::string(R"({"summary":"Hello","n":[1,2,3]})"), binary}) {
    auto reply = proxy("POST", "oauth", "echo/upload", body,
                       {{"Content-Type", "application/octet-stream"}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto echoed = json::parse(reply.body);
    EXPECT_EQ(echoed["body_size"], body.size());
    EXPECT_EQ(plain_->last().body_sha256_hex, echoed["body_sha256"]);
    EXPECT_EQ(plain_->last().body_size, body.size());
  }
}

TEST_F(ProxyTest, LargeUploadsStreamThroughUnchanged) {
  // Over the 8 MiB replay buffer: relayed as it arrives.
  std::string body(24 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>(i % 251);
  auto reply = proxy("PUT", "oauth", "echo/big", body, {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 300);
  EXPECT_EQ(json::parse(reply.body)["body_size"], body.size());
  EXPECT_EQ(plain_->last().body_size, body.size());
}

std::uint64_t peak_rss_kib(pid_t pid) {
  std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmHWM:");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + 6));
}

TEST_F(ProxyTest, AOneGibDownloadStreamsWithFlatMemory) {
  const std::uint64_t size = 1024ull * 1024 * 1024;
  const std::uint64_t before = peak_rss_kib(server_->process().pid());
  for (const char* framing : {"", "?chunked=1"}) {
    std::string command =
        "curl -sS -o - -H 'Authorization: Bearer " + std::string(kSecretKey) +
        "' -H 'Connection-Id: u1' -H 'Provider-Config-Key: oauth' "
        "http://127.0.0.1:" + std::to_string(server_->port()) + "/proxy/bytes/" +
        std::to_string(size) + framing + " | sha256sum";
    auto result = run({"/bin/sh", "-c", command}, {}, std::chrono::minutes(5));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output.substr(0, 64), TestUpstream::pattern_sha256(size)) << framing;
  }
  const std::uint64_t after = peak_rss_kib(server_->process().pid());
  // Two 1 GiB bodies went through; the peak grew by far less than one of them.
  EXPECT_LT(after - before, 64u * 1024) << "peak RSS grew from " << before << " to " << after
                                        << " KiB";
}

TEST_F(ProxyTest, TlsUpstreamsAreVerifiedAgainstTheConfiguredCa) {
  auto reply = proxy("GET", "apikey", "echo/tls");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto seen = tls_->last();
  EXPECT_EQ(seen.headers.find("x-api-key")->second, kApiKey);
  auto untrusted = proxy("GET", "untrusted", "echo/tls");
  EXPECT_EQ(untrusted.status, 502) << untrusted.body;
  EXPECT_NE(untrusted.body.find("localhost"), std::string::npos) << untrusted.body;
  EXPECT_EQ(untrusted_->count(), 0u);
}

TEST_F(ProxyTest, BasicCredentialsAreEncoded) {
  auto reply = proxy("GET", "basic", "whoami");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto headers = json::parse(reply.body)["headers"];
  // base64("alice:proxy-password-abcdef0123456789")
  EXPECT_EQ(headers["authorization"], "Basic YWxpY2U6cHJveHktcGFzc3dvcmQtYWJjZGVmMDEyMzQ1Njc4OQ==");
}

TEST_F(ProxyTest, UpstreamStatusAndHeadersComeBackUnchangedMinusHopByHop) {
  auto reply = proxy("GET", "oauth", "status/418");
  EXPECT_EQ(reply.status, 418);
  EXPECT_EQ(json::parse(reply.body)["status"], 418);
  EXPECT_EQ(reply.header("x-upstream"), "yes");
  EXPECT_EQ(reply.headers.count("set-cookie"), 2u);
  EXPECT_EQ(reply.headers.count("x-hop-secret"), 0u);
  EXPECT_EQ(reply.headers.count("keep-alive"), 0u);
}

TEST_F(ProxyTest, KeepAliveConnectionsToTheUpstreamAreReused) {
  const std::size_t before = plain_->connections_accepted();
  HttpClient client("127.0.0.1", server_->port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client.request("GET", "/proxy/echo/pooled", proxy_headers("oauth")).status, 200);
  }
  EXPECT_LE(plain_->connections_accepted() - before, 2u);
}

TEST_F(ProxyTest, ErrorsHaveTheirStatusAndNameTheUpstreamHost) {
  struct Case {
    const char* name;
    Headers headers;
    std::string endpoint;
    int status;
    const char* message_part;
  };
  auto base = [](const std::string& integration) { return proxy_headers(integration); };
  Headers no_connection = {{"Authorization", std::string("Bearer ") + kSecretKey},
                           {"Provider-Config-Key", "oauth"}};
  Headers unknown_connection = base("oauth");
  unknown_connection[1].second = "ghost";
  const Case cases[] = {
      {"missing Connection-Id", no_connection, "echo/x", 400, "Connection-Id"},
      {"unknown integration", base("nope"), "echo/x", 404, "nope"},
      {"unknown connection", unknown_connection, "echo/x", 404, "ghost"},
      {"unreachable", base("unreachable"), "echo/x", 502, "127.0.0.1"},
      {"timeout", base("slow"), "slow/3000", 504, "127.0.0.1"},
      {"wrong secret", {{"Authorization", "Bearer nope"}, {"Connection-Id", "u1"},
                        {"Provider-Config-Key", "oauth"}}, "echo/x", 401, "secret key"},
  };
  for (const auto& c : cases) {
    HttpClient client("127.0.0.1", server_->port());
    auto reply = client.request("GET", "/proxy/" + c.endpoint, c.headers);
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.body;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << c.name;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(c.message_part), std::string::npos)
        << c.name << ": " << reply.body;
    EXPECT_EQ(reply.body.find(kAccessToken), std::string::npos);
    EXPECT_EQ(reply.body.find(kApiKey), std::string::npos);
  }
}

TEST_F(ProxyTest, HostEscapingEndpointsAreRejectedBeforeAnythingIsSent) {
  const std::size_t before = plain_->count();
  for (const char* endpoint : {"//evil.test/x", "http://evil.test/x", "https:%2F%2Fevil.test",
                               "%2F%2Fevil.test/x", "echo/%2e%2e/%2e%2e/x", "echo/..%2Fadmin",
                               "@evil.test/x", "echo%40evil.test", "%5C%5Cevil.test/x",
                               "echo/%00x", "echo/%0d%0aX-Injected:%201"}) {
    HttpClient client("127.0.0.1", server_->port());
    auto reply = client.request("GET", std::string("/proxy/") + endpoint, proxy_headers("oauth"));
    EXPECT_EQ(reply.status, 400) << endpoint << ": " << reply.body;
  }
  EXPECT_EQ(plain_->count(), before);
}

TEST_F(ProxyTest, CredentialPlaceholdersInCallerTextAreRefusedBeforeAnythingIsSent) {
  struct Case {
    std::string endpoint;
    Headers extra;
    std::string named;
  };
  const Case cases[] = {
      {"echo/$%7Boauth_client_secret%7D", {}, "${oauth_client_secret}"},
      {"echo/%24%7Brefresh_token%7D/x", {}, "${refresh_token}"},
      {"echo/$%7Baccess_token%7D", {}, "${access_token}"},
      {"echo/plain", {{"Nango-Proxy-X-Leak", "${oauth_client_secret}"}}, "${oauth_client_secret}"},
      {"echo/plain", {{"Nango-Proxy-X-Leak", "t=${refresh_token}"}}, "${refresh_token}"},
      {"echo/plain", {{"Nango-Proxy-Authorization", "Bearer ${access_token}"}}, "${access_token}"},
  };
  const std::size_t before = plain_->count();
  for (const auto& c : cases) {
    auto reply = proxy("GET", "oauth", c.endpoint, "", c.extra);
    EXPECT_EQ(reply.status, 400) << c.endpoint << ": " << reply.body;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << reply.body;
    EXPECT_EQ(body["error"]["code"], "invalid_argument");
    const std::string message = body["error"]["message"];
    EXPECT_NE(message.find(c.named), std::string::npos) << message;
    EXPECT_NE(message.find("not allowed here"), std::string::npos) << message;
    for (const char* secret : {kClientSecret, kRefreshToken, kAccessToken}) {
      EXPECT_EQ(reply.body.find(secret), std::string::npos) << reply.body;
    }
  }
  EXPECT_EQ(plain_->count(), before);
  for (const auto& seen : plain_->requests()) {
    EXPECT_EQ(seen.target.find(kClientSecret), std::string::npos) << seen.target;
    EXPECT_EQ(seen.target.find(kRefreshToken), std::string::npos) << seen.target;
  }
}

TEST_F(ProxyTest, NangoProxyHeadersResolveConnectionData) {
  auto reply = proxy("GET", "oauth", "echo/tenant", "",
                     {{"Nango-Proxy-X-Tenant", "${metadata.tenant}/${connectionConfig.cloudId}"},
                      {"Nango-Proxy-X-Literal", "$${oauth_client_secret}"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto seen = plain_->last();
  auto header = [&](const std::string& name) {
    auto it = seen.headers.find(name);
    return it == seen.headers.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_EQ(header("x-tenant"), "acme/cloud-42");
  EXPECT_EQ(header("x-literal"), "${oauth_client_secret}");
}

TEST_F(ProxyTest, BaseUrlOverrideIsHonoured) {
  const std::size_t before = tls_->count();
  auto reply = proxy("GET", "oauth", "echo/override", "", {{"Base-Url-Override", tls_->base_url()}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(tls_->count(), before + 1);
}

TEST_F(ProxyTest, TheActivityLogHasOneEntryPerCall) {
  HttpClient client("127.0.0.1", server_->port());
  ASSERT_EQ(client.request("POST", "/proxy/echo/logged?mark=1", proxy_headers("basic"), "12345").status,
            200);
  auto reply = client.get("/logs?integration=basic&limit=1",
                          {{"Authorization", std::string("Bearer ") + kSecretKey}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto entry = json::parse(reply.body)["logs"][0];
  EXPECT_EQ(entry["type"], "proxy");
  EXPECT_EQ(entry["method"], "POST");
  EXPECT_EQ(entry["status"], 200);
  EXPECT_EQ(entry["connection_id"], "u1");
  EXPECT_EQ(entry["bytes_in"], 5);
  EXPECT_GT(entry["bytes_out"].get<int>(), 0);
  EXPECT_EQ(entry["attempts"], 1);
  EXPECT_NE(entry["url"].get<std::string>().find("/echo/logged?mark=1"), std::string::npos);
}

TEST_F(ProxyTest, TheActivityLogFiltersTailsAndShowsOneEntry) {
  HttpClient client("127.0.0.1", server_->port());
  const Headers secret = {{"Authorization", std::string("Bearer ") + kSecretKey}};
  ASSERT_EQ(client.request("GET", "/proxy/echo/tail-one", proxy_headers("basic"), "").status, 200);
  auto listed = client.get("/logs?integration=basic&type=proxy&status=2xx&search=TAIL-ONE", secret);
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto logs = json::parse(listed.body)["logs"];
  ASSERT_EQ(logs.size(), 1u) << listed.body;
  const std::int64_t id = logs[0]["id"];

  auto one = client.get("/logs/" + std::to_string(id), secret);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body), logs[0]);

  const std::string tail = "/logs?integration=basic&after_id=" + std::to_string(id);
  auto nothing_yet = client.get(tail, secret);
  ASSERT_EQ(nothing_yet.status, 200) << nothing_yet.body;
  EXPECT_TRUE(json::parse(nothing_yet.body)["logs"].empty()) << nothing_yet.body;
  ASSERT_EQ(client.request("GET", "/proxy/echo/tail-two", proxy_headers("basic"), "").status, 200);
  auto next = json::parse(client.get(tail, secret).body)["logs"];
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0]["url"].get<std::string>().find("/echo/tail-two"), std::string::npos);

  auto none = client.get("/logs?integration=basic&search=tail-one&status=4xx,5xx,error", secret);
  EXPECT_TRUE(json::parse(none.body)["logs"].empty()) << none.body;
}

// Calls with every kind of credential, a failure and a 4xx, at debug level; then greps
// everything the server wrote (stdout, the log file, the activity log) for the secrets.
TEST_F(ProxyTest, NoSecretEverReachesALogOrTheActivityLog) {
  EXPECT_EQ(proxy("GET", "oauth", "echo/secrets?access_token=from-caller").status, 200);
  EXPECT_EQ(proxy("POST", "basic", "whoami", R"({"password":"typed"})").status, 200);
  EXPECT_EQ(proxy("GET", "apikey", "echo/tls").status, 200);
  // A 401 forces one refresh, which this test token endpoint refuses: 424.
  EXPECT_EQ(proxy("GET", "oauth", "status/401").status, 424);
  EXPECT_EQ(proxy("GET", "unreachable", "echo/x").status, 502);
  HttpClient client("127.0.0.1", server_->port());
  auto logs = client.get("/logs?limit=10000", {{"Authorization", std::string("Bearer ") + kSecretKey}});
  ASSERT_EQ(logs.status, 200);
  ASSERT_GE(json::parse(logs.body)["logs"].size(), 5u);
  const std::string everything =
      logs.body + server_->process().output() + slurp(*dir_ + "/ferry-server.log");
  ASSERT_NE(everything.find("proxy upstream request"), std::string::npos)
      << "debug logging was expected to be on";
  for (const char* secret : {kAccessToken, kRefreshToken, kApiKey, kPassword, kClientSecret,
                             kSecretKey, "cHJveHktcGFzc3dvcmQ"}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " was written somewhere";
  }
}

}  // namespace
}  // namespace ferry::testing
