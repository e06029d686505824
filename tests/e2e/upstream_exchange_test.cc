// The upstream engine's rules end to end, the real binary between the test and a loopback
// upstream: interim 1xx answers, a body delimited by the connection's close, a pooled
// connection the server closed under a POST and under a GET, bytes beyond a response, and
// header values holding CR, LF or NUL from every place a value can come from (a stored API
// key, metadata and connection_config in a header template, a Nango-Proxy-* header, an
// action's request), each refused with nothing sent.
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ferry_fixture.h"
#include "test_upstream.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecretKey = "exchange-secret-key-0123456789abcdef";
constexpr const char* kApiKey = "exchange-api-key-0123456789";

Headers api_headers() {
  return {{"Authorization", std::string("Bearer ") + kSecretKey},
          {"Content-Type", "application/json"}};
}

class UpstreamExchange : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    upstream_ = TestUpstream::start().release();
    dir_ = new std::string(make_temp_dir("ferry-exchange"));
    const std::string base = upstream_->base_url();
    write_file(*dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\n");
    write_file(*dir_ + "/integrations.yaml",
               "integrations:\n"
               "  keyed:\n"
               "    auth:\n"
               "      auth_mode: API_KEY\n"
               "    requests:\n"
               "      base_url: " + base + "\n"
               "      headers:\n"
               "        authorization: Bearer ${api_key}\n"
               "        x-site: ${metadata.site}\n"
               "        x-cloud: ${connectionConfig.cloud}\n");
    std::filesystem::create_directories(*dir_ + "/keyed");
    write_file(*dir_ + "/keyed/split-header.action.lua",
               "return function(nango, input)\n"
               "  return nango:get{endpoint = '/echo/from-action',\n"
               "                   headers = {['X-Evil'] = 'a\\r\\nX-Injected: 1'}}\n"
               "end\n");
    write_file(*dir_ + "/keyed/clean.action.lua",
               "return function(nango, input)\n"
               "  local answer = nango:get{endpoint = '/echo/from-action'}\n"
               "  return {status = answer.status}\n"
               "end\n");
    server_ = new RunningFerry(*dir_);
    add_connection("clean", kApiKey, {{"site", "acme"}}, {{"cloud", "c-1"}});
    add_connection("bad-key", std::string(kApiKey) + "\r\nX-Injected: 1", {{"site", "acme"}},
                   {{"cloud", "c-1"}});
    add_connection("bad-metadata", kApiKey, {{"site", "acme\nX-Injected: 1"}}, {{"cloud", "c-1"}});
    add_connection("bad-config", kApiKey, {{"site", "acme"}},
                   {{"cloud", std::string("c-1\0X", 5)}});
  }

  static void TearDownTestSuite() {
    delete server_;
    delete upstream_;
    delete dir_;
  }

  static void add_connection(const std::string& id, const std::string& api_key, const json& metadata,
                             const json& config) {
    const json body = {{"provider_config_key", "keyed"},
                       {"connection_id", id},
                       {"credentials", {{"type", "API_KEY"}, {"api_key", api_key}}},
                       {"metadata", metadata},
                       {"connection_config", config}};
    auto reply = server_->client().request("POST", "/connections", api(), body.dump());
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  static Headers api() { return api_headers(); }

  static Headers proxy_headers(const std::string& connection_id = "clean") {
    return {{"Authorization", std::string("Bearer ") + kSecretKey},
            {"Connection-Id", connection_id},
            {"Provider-Config-Key", "keyed"}};
  }

  // Requests on the upstream whose target starts with `prefix`.
  static std::size_t seen(const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& request : upstream_->requests()) {
      if (request.target.rfind(prefix, 0) == 0) ++n;
    }
    return n;
  }

  static std::string error_message(const HttpReply& reply) {
    auto body = json::parse(reply.body, nullptr, false);
    if (!body.is_object() || !body.contains("error")) return "<no error body: " + reply.body + ">";
    return body["error"]["message"].get<std::string>();
  }

  static TestUpstream* upstream_;
  static std::string* dir_;
  static RunningFerry* server_;
};

TestUpstream* UpstreamExchange::upstream_ = nullptr;
std::string* UpstreamExchange::dir_ = nullptr;
RunningFerry* UpstreamExchange::server_ = nullptr;

TEST_F(UpstreamExchange, InterimAnswersAreSkippedForTheFinalOne) {
  HttpClient client("127.0.0.1", server_->port());
  auto reply = client.request("GET", "/proxy/interim", proxy_headers());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["interim"], true);
  EXPECT_EQ(reply.header("link"), "") << "an interim head's fields are not the answer's";
  // The connection is in step: the next call on it is answered normally.
  EXPECT_EQ(client.request("GET", "/proxy/echo/after-interim", proxy_headers()).status, 200);
}

TEST_F(UpstreamExchange, ABodyEndedByTheUpstreamClosingIsReframedForAKeepAliveClient) {
  HttpClient client("127.0.0.1", server_->port());
  const std::size_t accepted = upstream_->connections_accepted();
  auto reply = client.request("GET", "/proxy/close-delimited/300000", proxy_headers());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.size(), 300000u);
  EXPECT_EQ(reply.header("transfer-encoding"), "chunked");
  EXPECT_EQ(reply.header("connection"), "");
  // The client's connection goes on; the upstream's, closed, is not reused.
  auto next = client.request("GET", "/proxy/echo/after-close", proxy_headers());
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_GE(upstream_->connections_accepted(), accepted + 2);
}

TEST_F(UpstreamExchange, AnHttp10ClientGetsACloseDelimitedBodyAndTheConnectionCloses) {
  HttpClient client("127.0.0.1", server_->port());
  std::string request = "GET /proxy/close-delimited/1000 HTTP/1.0\r\nHost: ferry\r\n";
  for (const auto& [name, value] : proxy_headers()) request += name + ": " + value + "\r\n";
  auto reply = client.raw(request + "\r\n");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.size(), 1000u);
  EXPECT_TRUE(client.server_closed());
}

TEST_F(UpstreamExchange, APostOnAPooledConnectionTheServerClosedIsNotSentAgain) {
  HttpClient client("127.0.0.1", server_->port());
  // The upstream answers, keeps the connection, and hangs up on its next request.
  ASSERT_EQ(client.request("GET", "/proxy/drop-next", proxy_headers()).status, 200);
  const std::size_t before = seen("/echo/once");
  Headers headers = proxy_headers();
  headers.emplace_back("Content-Type", "application/json");
  auto reply = client.request("POST", "/proxy/echo/once", headers, R"({"create":"issue"})");
  EXPECT_EQ(reply.status, 502) << reply.body;
  EXPECT_NE(error_message(reply).find("was not sent again"), std::string::npos) << reply.body;
  EXPECT_EQ(seen("/echo/once"), before + 1) << "the POST reached the upstream exactly once";
}

TEST_F(UpstreamExchange, AGetOnAPooledConnectionTheServerClosedIsSentOnceMore) {
  HttpClient client("127.0.0.1", server_->port());
  ASSERT_EQ(client.request("GET", "/proxy/drop-next", proxy_headers()).status, 200);
  const std::size_t before = seen("/echo/twice");
  auto reply = client.request("GET", "/proxy/echo/twice", proxy_headers());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(seen("/echo/twice"), before + 2);
  auto logs = client.get("/logs?connection_id=clean&limit=1", api());
  ASSERT_EQ(logs.status, 200) << logs.body;
  const json attempts = json::parse(logs.body)["logs"][0]["details"]["attempts"];
  ASSERT_EQ(attempts.size(), 2u) << attempts.dump();
  EXPECT_EQ(attempts[0]["reason"], "stale_connection");
  EXPECT_EQ(attempts[1]["status"], 200);
}

TEST_F(UpstreamExchange, BytesBeyondAResponseKeepItsConnectionOutOfThePool) {
  HttpClient client("127.0.0.1", server_->port());
  auto first = client.request("GET", "/proxy/extra-bytes", proxy_headers());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body)["extra"], false);
  // Were that connection pooled, this call would read the unasked bytes as its answer.
  for (int i = 0; i < 3; ++i) {
    auto next = client.request("GET", "/proxy/echo/next-caller", proxy_headers());
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(json::parse(next.body)["target"], "/echo/next-caller") << next.body;
  }
}

TEST_F(UpstreamExchange, StoredValuesWithLineBreaksAreRefusedAndNothingIsSent) {
  struct Case {
    const char* connection_id;
    const char* header;
    const char* source;
  };
  const Case cases[] = {
      {"bad-key", "\"authorization\"", "${api_key}"},
      {"bad-metadata", "\"x-site\"", "${metadata.site}"},
      {"bad-config", "\"x-cloud\"", "${connectionConfig.cloud}"},
  };
  for (const auto& c : cases) {
    const std::size_t before = upstream_->count();
    HttpClient client("127.0.0.1", server_->port());
    auto reply = client.request("GET", "/proxy/echo/split", proxy_headers(c.connection_id));
    EXPECT_EQ(reply.status, 400) << c.connection_id << ": " << reply.body;
    const std::string message = error_message(reply);
    EXPECT_NE(message.find(c.header), std::string::npos) << message;
    EXPECT_NE(message.find(c.source), std::string::npos) << message;
    EXPECT_NE(message.find("CR, LF or NUL"), std::string::npos) << message;
    EXPECT_EQ(message.find("X-Injected"), std::string::npos) << "the value is never echoed";
    EXPECT_EQ(upstream_->count(), before) << c.connection_id << ": something reached upstream";
  }
}

TEST_F(UpstreamExchange, ACallersHeaderCannotSplitTheUpstreamRequest) {
  auto raw_with = [](const std::string& value) {
    std::string request = "GET /proxy/echo/folded HTTP/1.1\r\nHost: ferry\r\n";
    for (const auto& [name, v] : proxy_headers()) request += name + ": " + v + "\r\n";
    return request + "Nango-Proxy-X-Folded: " + value + "\r\n\r\n";
  };
  // A NUL inside a value: the request is refused, nothing is sent.
  const std::size_t before = upstream_->count();
  {
    HttpClient client("127.0.0.1", server_->port());
    EXPECT_EQ(client.raw(raw_with(std::string("a\0b", 3))).status, 400);
  }
  EXPECT_EQ(upstream_->count(), before);
  // A folded line (obs-fold, RFC 9112 §5.2) is read as spaces: one header goes upstream,
  // whole, and no line of it becomes a header of its own.
  HttpClient client("127.0.0.1", server_->port());
  auto reply = client.raw(raw_with("a\r\n X-Injected: 1"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto sent = upstream_->last();
  EXPECT_EQ(sent.headers.count("x-injected"), 0u);
  ASSERT_EQ(sent.headers.count("x-folded"), 1u);
  const std::string folded = sent.headers.find("x-folded")->second;
  EXPECT_EQ(folded.find_first_of("\r\n"), std::string::npos) << folded;
}

TEST_F(UpstreamExchange, AnActionsHeaderWithALineBreakFailsTheActionAndNothingIsSent) {
  const std::size_t before = upstream_->count();
  Headers headers = api();
  headers.emplace_back("Connection-Id", "clean");
  headers.emplace_back("Provider-Config-Key", "keyed");
  auto reply = server_->client().request("POST", "/action/trigger", headers,
                                         json{{"action_name", "split-header"}}.dump());
  EXPECT_EQ(reply.status, 500) << reply.body;
  const std::string message = error_message(reply);
  EXPECT_NE(message.find("\"X-Evil\""), std::string::npos) << message;
  EXPECT_NE(message.find("the action's request"), std::string::npos) << message;
  EXPECT_EQ(upstream_->count(), before);
  // The same action without the bad header goes through the proxy's pipeline in process.
  auto clean = server_->client().request("POST", "/action/trigger", headers,
                                         json{{"action_name", "clean"}}.dump());
  ASSERT_EQ(clean.status, 200) << clean.body;
  EXPECT_EQ(json::parse(clean.body)["status"], 200);
  EXPECT_EQ(upstream_->last().target, "/echo/from-action");
}

// Pooled upstream connections belong to the I/O threads' event loops: stopping must close them
// while those loops still exist (it once crashed here, exit code 139).
TEST(UpstreamExchangeStop, AServerHoldingPooledConnectionsStopsCleanly) {
  auto upstream = TestUpstream::start();
  const std::string dir = make_temp_dir("ferry-exchange-stop");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\n");
  write_file(dir + "/integrations.yaml",
             "integrations:\n"
             "  open:\n"
             "    auth:\n"
             "      auth_mode: NONE\n"
             "    requests:\n"
             "      base_url: " + upstream->base_url() + "\n");
  RunningFerry server(dir);
  auto created = server.client().request(
      "POST", "/connections", api_headers(),
      json{{"provider_config_key", "open"}, {"connection_id", "u1"},
           {"credentials", {{"type", "NONE"}}}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  // Several client connections, so both I/O threads pool upstream connections.
  for (int i = 0; i < 4; ++i) {
    HttpClient client("127.0.0.1", server.port());
    for (int j = 0; j < 3; ++j) {
      ASSERT_EQ(client.request("GET", "/proxy/echo/pooled",
                               {{"Authorization", std::string("Bearer ") + kSecretKey},
                                {"Connection-Id", "u1"},
                                {"Provider-Config-Key", "open"}})
                    .status,
                200);
    }
  }
  server.process().signal(SIGTERM);
  EXPECT_EQ(server.process().wait(std::chrono::seconds(30)), 0) << server.process().output();
  EXPECT_NE(server.process().output().find("Ferry stopped"), std::string::npos);
}

}  // namespace
}  // namespace ferry::testing
