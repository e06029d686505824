// The bad-input suite: what an outsider or a careless caller can send, across configuration,
// the REST API, the OAuth connect and callback routes, proxy headers and actions. Each case
// must end in a clear error (status, code, and a message that says what was wrong), the
// server must still answer afterwards, and nothing stored may be lost or changed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "bad-input-suite-secret-key-0123456789";
constexpr const char* kPublicKey = "bad-input-suite-public-key-0123456789";

// ---- Configuration: `ferry check` must exit non-zero naming the file, line and problem.

struct ConfigCase {
  const char* name;
  std::string ferry_yaml;         // "" = no ferry.yaml
  std::string integrations_yaml;
  std::string says;               // must appear in the output
};

const std::string kJira = "integrations:\n  jira:\n    extends_blueprint: jira:v0\n"
                          "    oauth_client_id: id\n    oauth_client_secret: secret\n";

std::vector<ConfigCase> config_cases() {
  return {
      {"yaml syntax error", "", "integrations:\n  jira: [unclosed\n", "integrations.yaml:3"},
      {"tab indentation", "", "integrations:\n\tjira: {}\n", "integrations.yaml:"},
      {"integrations is a list", "", "integrations:\n  - jira\n", "integrations.yaml:2"},
      {"unknown integration key", "", kJira + "    oauth_scope: [a]\n",
       "integrations.jira.oauth_scope"},
      {"unknown blueprint", "", "integrations:\n  jira:\n    extends_blueprint: jiraa:v0\n",
       "integrations.jira.extends_blueprint"},
      {"unknown blueprint version", "", "integrations:\n  jira:\n    extends_blueprint: jira:v9\n",
       "integrations.yaml:3"},
      {"unset variable", "",
       "integrations:\n  jira:\n    extends_blueprint: jira:v0\n    oauth_client_id: x\n"
       "    oauth_client_secret: ${FERRY_BAD_INPUT_UNSET}\n",
       "FERRY_BAD_INPUT_UNSET"},
      {"scopes not a list", "", kJira + "    oauth_scopes: 5\n", "integrations.jira.oauth_scopes"},
      {"base_url not a URL", "", kJira + "    requests:\n      base_url: not a url\n",
       "integrations.jira.requests.base_url"},
      {"unknown auth mode", "",
       "integrations:\n  x:\n    auth:\n      auth_mode: MAGIC\n", "integrations.x.auth.auth_mode"},
      {"negative retry attempts", "", kJira + "    retry:\n      max_attempts: -1\n",
       "integrations.jira.retry.max_attempts"},
      {"header template not a string", "",
       kJira + "    requests:\n      headers:\n        X-Key: [a, b]\n", "integrations.yaml:8"},
      {"server port out of range", "server_port: 70000\n", kJira, "ferry.yaml:1"},
      {"server port not a number", "server_port: abc\n", kJira, "server_port"},
      {"unknown log level", "main_server_log_level: loud\n", kJira, "main_server_log_level"},
      {"unknown ferry.yaml key", "server_prot: 3003\n", kJira, "server_prot"},
      {"database scheme", "database_url: mysql://x/y\n", kJira, "database_url"},
      {"encryption key not base64", "encryption_key: '%%%not-base64'\n", kJira,
       "encryption_key"},
      {"encryption key of the wrong length", "encryption_key: c2hvcnQ=\n", kJira,
       "encryption_key"},
      {"negative timeout", "default_http_request_timeout_seconds: -5\n", kJira,
       "default_http_request_timeout_seconds"},
      {"body limit of zero", "max_request_body_bytes: 0\n", kJira, "max_request_body_bytes"},
      {"ferry.yaml is a list", "- a\n- b\n", kJira, "ferry.yaml"},
  };
}

TEST(BadInputSuite, ConfigurationErrorsNameTheFileLineAndKey) {
  for (const auto& c : config_cases()) {
    SCOPED_TRACE(c.name);
    const std::string dir = make_temp_dir("ferry-bad-config");
    if (!c.ferry_yaml.empty()) write_file(dir + "/ferry.yaml", c.ferry_yaml);
    write_file(dir + "/integrations.yaml", c.integrations_yaml);
    auto check = ferry({"check", dir});
    EXPECT_NE(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find(c.says), std::string::npos) << check.output;
    // A crash would print a sanitizer report or die by a signal, never a clean error.
    EXPECT_EQ(check.output.find("Sanitizer"), std::string::npos) << check.output;
  }
}

// ---- One running server for the REST API, OAuth, proxy and action cases.

class BadInputServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = new Fake();
    dir_ = new std::string(make_temp_dir("ferry-bad-input"));
    const std::string base = fake_->base_url();
    write_file(*dir_ + "/ferry.yaml", std::string("secret_key: ") + kSecret +
                                          "\npublic_key: " + kPublicKey + "\n");
    write_file(*dir_ + "/integrations.yaml", "integrations:\n" + fake_jira_integration("jira", base));
    write_actions(*dir_ + "/jira");
    server_ = new RunningFerry(*dir_);
    // The connection every case must leave exactly as it was.
    auto keeper = with_issued_tokens(fake_->issue_tokens());
    keeper.connection_id = "keeper";
    keeper.metadata = {{"team", "blue"}};
    import_connection(*server_, kSecret, keeper);
    *keeper_ = stored_keeper();
  }

  static void TearDownTestSuite() {
    delete server_;
    delete fake_;
    delete dir_;
    server_ = nullptr;
  }

  static void write_actions(const std::string& folder) {
    std::filesystem::create_directories(folder);
    write_file(folder + "/syntax-error.action.lua", "return function(nango, input) if end\n");
    write_file(folder + "/not-a-function.action.lua", "return 42\n");
    write_file(folder + "/raises.action.lua",
               "return function(nango, input) error({message = 'bad project', field = 'key'}) end\n");
    write_file(folder + "/runtime-error.action.lua",
               "return function(nango, input) return input.missing.field end\n");
    write_file(folder + "/returns-function.action.lua",
               "return function(nango, input) return function() end end\n");
    write_file(folder + "/cyclic-output.action.lua",
               "return function(nango, input) local t = {} t.self = t return t end\n");
    write_file(folder + "/bad-endpoint.action.lua",
               "return function(nango, input) return nango:get{endpoint = 'http://evil.example/x'} "
               "end\n");
    write_file(folder + "/bad-header.action.lua",
               "return function(nango, input) return nango:get{endpoint = '/x', "
               "headers = {['X-A'] = 'a\\r\\nInjected: 1'}} end\n");
    write_file(folder + "/huge-memory.action.lua",
               "return function(nango, input) local t = {} for i = 1, 1e9 do t[i] = "
               "string.rep('x', 1024) .. i end end\n");
    write_file(folder + "/bytecode.action.lua",
               "return function(nango, input) return load(string.dump(function() end)) end\n");
    write_file(folder + "/escape-sandbox.action.lua",
               "return function(nango, input) return {io = type(io), os = type(os), "
               "debug = type(debug), require = type(require), dofile = type(dofile)} end\n");
  }

  static Headers api() { return api_headers(kSecret); }
  static Headers proxy_headers(Headers extra = {}) {
    Headers h = connection_headers(kSecret, "jira", "keeper");
    for (auto& e : extra) h.push_back(std::move(e));
    return h;
  }

  static json stored_keeper() {
    auto reply = server_->client().get("/connections/keeper?provider_config_key=jira", api());
    json body = json::parse(reply.body, nullptr, false);
    if (!body.is_object()) return json();
    return {{"credentials", body["credentials"]},
            {"connection_config", body["connection_config"]},
            {"metadata", body["metadata"]}};
  }

  struct ApiCase {
    const char* name;
    std::string method;
    std::string target;
    Headers headers;
    std::string body;
    int status;
    std::string code;  // "" = not checked (e.g. the HTML callback page)
    std::string says;  // must appear in the body
  };

  // Sends one case on a fresh connection and checks the answer, that the server still
  // answers, and that the keeper connection is unchanged.
  static void expect_refused(const ApiCase& c) {
    SCOPED_TRACE(c.name);
    HttpClient client("127.0.0.1", server_->port());
    auto reply = client.request(c.method, c.target, c.headers, c.body);
    EXPECT_EQ(reply.status, c.status) << reply.body.substr(0, 600);
    if (!c.code.empty()) {
      json body = json::parse(reply.body, nullptr, false);
      ASSERT_TRUE(body.is_object()) << reply.body.substr(0, 600);
      EXPECT_EQ(body["error"].value("code", ""), c.code) << reply.body.substr(0, 600);
    }
    EXPECT_NE(reply.body.find(c.says), std::string::npos) << reply.body.substr(0, 600);
    // Never an echo of a stored secret in an error.
    EXPECT_EQ(reply.body.find("fake-client-secret"), std::string::npos);
    EXPECT_EQ(server_->client().get("/health").status, 200);
  }

  static Fake* fake_;
  static std::string* dir_;
  static RunningFerry* server_;
  static json* keeper_;
};

Fake* BadInputServer::fake_ = nullptr;
std::string* BadInputServer::dir_ = nullptr;
RunningFerry* BadInputServer::server_ = nullptr;
json* BadInputServer::keeper_ = new json();

std::string connection_body(const std::string& fields) {
  return "{\"provider_config_key\":\"jira\",\"connection_id\":\"new-1\"," + fields + "}";
}

// A POST /connections body with a valid OAUTH2 credential and `connection_id` (JSON-escaped).
std::string connection_body_with_id(const std::string& connection_id) {
  return "{\"provider_config_key\":\"jira\",\"connection_id\":\"" + connection_id +
         "\",\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"x\"}}";
}

TEST_F(BadInputServer, RestApiRefusalsAreClearAndChangeNothing) {
  const Headers none = {{"Content-Type", "application/json"}};
  const std::vector<ApiCase> cases = {
      {"no key", "GET", "/connections", none, "", 401, "unauthorized", "Authorization"},
      {"wrong key", "GET", "/connections", {{"Authorization", "Bearer nope"}}, "", 401,
       "unauthorized", "not valid"},
      {"wrong scheme", "GET", "/connections", {{"Authorization", std::string("Basic ") + kSecret}},
       "", 401, "unauthorized", "not valid"},
      {"public key is not a secret key", "GET", "/connections",
       {{"Authorization", std::string("Bearer ") + kPublicKey}}, "", 401, "unauthorized",
       "not valid"},
      {"truncated JSON", "POST", "/connections", api(), "{", 400, "invalid_argument",
       "not valid JSON"},
      {"JSON array body", "POST", "/connections", api(), "[]", 400, "invalid_argument",
       "JSON object"},
      {"deeply nested JSON", "POST", "/connections", api(),
       std::string(100000, '[') + std::string(100000, ']'), 400, "invalid_argument", ""},
      {"no credentials", "POST", "/connections", api(), "{\"provider_config_key\":\"jira\"}", 400,
       "invalid_argument", "credentials"},
      {"unknown integration", "POST", "/connections", api(),
       "{\"provider_config_key\":\"nope\",\"connection_id\":\"a\",\"credentials\":{\"type\":"
       "\"API_KEY\",\"api_key\":\"x\"}}",
       404, "not_found", "nope"},
      {"credential type of another mode", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"WHAT\"}"), 400, "invalid_argument",
       "credentials.type"},
      {"access token not a string", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":5}"), 400,
       "invalid_argument", "credentials.access_token"},
      {"expires_at out of range", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"x\","
                       "\"expires_at\":\"99999-01-01T00:00:00Z\"}"),
       400, "invalid_argument", "expires_at"},
      {"expires_at garbage", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"x\","
                       "\"expires_at\":\"garbage\"}"),
       400, "invalid_argument", "expires_at"},
      {"empty connection id", "POST", "/connections", api(),
       connection_body_with_id(""), 400, "invalid_argument", "connection_id"},
      {"connection id with a line break", "POST", "/connections", api(),
       connection_body_with_id("a\\nINFO forged"), 400, "invalid_argument", "control characters"},
      {"connection id of 10 000 bytes", "POST", "/connections", api(),
       connection_body_with_id(std::string(10000, 'k')), 400, "invalid_argument", "longer than 255"},
      {"connection_config not an object", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"x\"},"
                       "\"connection_config\":\"str\""),
       400, "invalid_argument", "connection_config"},
      {"metadata not an object", "POST", "/connections", api(),
       connection_body("\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"x\"},"
                       "\"metadata\":[1]"),
       400, "invalid_argument", "metadata"},
      // An override of the keeper that also asks for what Ferry does not do writes nothing.
      {"override with a webhook URL", "POST", "/connections", api(),
       "{\"provider_config_key\":\"jira\",\"connection_id\":\"keeper\",\"credentials\":{\"type\":"
       "\"OAUTH2\",\"access_token\":\"replaced\"},\"webhook_url_override\":\"https://x.example/\"}",
       400, "invalid_argument", "webhook_url_override"},
      {"override with bad tags", "POST", "/connections", api(),
       "{\"provider_config_key\":\"jira\",\"connection_id\":\"keeper\",\"credentials\":{\"type\":"
       "\"OAUTH2\",\"access_token\":\"replaced\"},\"tags\":{\"plan\":7}}",
       400, "invalid_argument", "tags.plan"},
      {"patch with an unknown field", "PATCH", "/connections/keeper?provider_config_key=jira", api(),
       "{\"metadata\":{}}", 400, "invalid_argument", "is not a known field (expected end_user, tags)"},
      {"patch of an unknown connection", "PATCH", "/connections/ghost?provider_config_key=jira",
       api(), "{\"tags\":{}}", 404, "not_found", "ghost"},
      {"list with an unknown filter", "GET", "/connections?user=keeper", api(), "", 400,
       "invalid_argument", "unknown query parameter"},
      {"metadata of the wrong type", "POST", "/connections/metadata", api(),
       "{\"connection_id\":\"keeper\",\"provider_config_key\":\"jira\",\"metadata\":\"x\"}", 400,
       "invalid_argument", "metadata"},
      {"metadata for an unknown connection", "POST", "/connections/metadata", api(),
       "{\"connection_id\":\"ghost\",\"provider_config_key\":\"jira\",\"metadata\":{}}", 404,
       "not_found", "ghost"},
      {"metadata connection id a number", "PATCH", "/connections/metadata", api(),
       "{\"connection_id\":5,\"provider_config_key\":\"jira\",\"metadata\":{}}", 400,
       "invalid_argument", "connection_id"},
      {"get without provider_config_key", "GET", "/connections/keeper", api(), "", 400,
       "invalid_argument", "provider_config_key"},
      {"get of an unknown integration", "GET", "/connections/keeper?provider_config_key=nope",
       api(), "", 404, "not_found", "nope"},
      {"delete of an unknown connection", "DELETE", "/connections/ghost?provider_config_key=jira",
       api(), "", 404, "not_found", "ghost"},
      {"logs limit not a number", "GET", "/logs?limit=abc", api(), "", 400, "invalid_argument",
       "limit"},
      {"logs limit negative", "GET", "/logs?limit=-5", api(), "", 400, "invalid_argument",
       "limit"},
      {"logs limit overflowing", "GET", "/logs?limit=99999999999999999999", api(), "", 400,
       "invalid_argument", "limit"},
      {"logs unknown status class", "GET", "/logs?status=4xx,6xx", api(), "", 400,
       "invalid_argument", "status: \\\"6xx\\\" is not a status class"},
      {"logs from not a date", "GET", "/logs?from=yesterday", api(), "", 400,
       "invalid_argument", "from must be an ISO 8601 date-time"},
      {"logs search too long", "GET", "/logs?search=" + std::string(201, 'a'), api(), "", 400,
       "invalid_argument", "search must be at most 200 bytes"},
      {"logs after_id negative", "GET", "/logs?after_id=-1", api(), "", 400,
       "invalid_argument", "after_id"},
      {"log entry id not a number", "GET", "/logs/abc", api(), "", 400, "invalid_argument",
       "positive integer"},
      {"unknown log entry", "GET", "/logs/987654321", api(), "", 404, "not_found",
       "987654321"},
      {"unknown integration view", "GET", "/integrations/nope", api(), "", 404, "not_found",
       "nope"},
      {"unknown provider", "GET", "/providers/nope", api(), "", 404, "not_found", "nope"},
      {"connect session without end user", "POST", "/connect/sessions", api(), "{}", 400,
       "invalid_argument", "end_user"},
      {"connect session end user a string", "POST", "/connect/sessions", api(),
       "{\"end_user\":\"x\"}", 400, "invalid_argument", "end_user"},
      {"unknown route", "GET", "/no/such/route", api(), "", 404, "not_found", "no route"},
      {"wrong method", "DELETE", "/health", api(), "", 405, "method_not_allowed", "DELETE"},
  };
  for (const auto& c : cases) expect_refused(c);

  // A body over the limit is refused on its announced length, before it is sent.
  auto too_large = HttpClient("127.0.0.1", server_->port())
                       .raw("POST /connections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                            std::string(kSecret) + "\r\nContent-Length: " +
                            std::to_string(11 * 1024 * 1024) + "\r\n\r\n");
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  EXPECT_NE(too_large.body.find("payload_too_large"), std::string::npos);
  EXPECT_EQ(server_->client().get("/health").status, 200);
  EXPECT_EQ(stored_keeper(), *keeper_);
}

TEST_F(BadInputServer, ProxyHeaderRefusalsAreClearAndSendNothing) {
  const std::vector<ApiCase> cases = {
      {"no Connection-Id", "GET", "/proxy/rest/api/3/myself",
       {{"Authorization", std::string("Bearer ") + kSecret}, {"Provider-Config-Key", "jira"}}, "",
       400, "invalid_argument", "Connection-Id"},
      {"no Provider-Config-Key", "GET", "/proxy/rest/api/3/myself",
       {{"Authorization", std::string("Bearer ") + kSecret}, {"Connection-Id", "keeper"}}, "", 400,
       "invalid_argument", "Provider-Config-Key"},
      {"unknown integration", "GET", "/proxy/x",
       {{"Authorization", std::string("Bearer ") + kSecret},
        {"Connection-Id", "keeper"},
        {"Provider-Config-Key", "nope"}},
       "", 404, "not_found", "nope"},
      {"unknown connection", "GET", "/proxy/x",
       {{"Authorization", std::string("Bearer ") + kSecret},
        {"Connection-Id", "ghost"},
        {"Provider-Config-Key", "jira"}},
       "", 404, "not_found", "ghost"},
      {"Retries not a number", "GET", "/proxy/x", proxy_headers({{"Retries", "abc"}}), "", 400,
       "invalid_argument", "Retries"},
      {"Retries negative", "GET", "/proxy/x", proxy_headers({{"Retries", "-1"}}), "", 400,
       "invalid_argument", "Retries"},
      {"Retry-On not statuses", "GET", "/proxy/x", proxy_headers({{"Retry-On", "5xx"}}), "", 400,
       "invalid_argument", "Retry-On"},
      {"Retry-On overflowing", "GET", "/proxy/x",
       proxy_headers({{"Retry-On", "99999999999999999999"}}), "", 400, "invalid_argument",
       "Retry-On"},
      {"Base-Url-Override not a URL", "GET", "/proxy/x",
       proxy_headers({{"Base-Url-Override", "notaurl"}}), "", 400, "invalid_argument",
       "Base-Url-Override"},
      {"Base-Url-Override of another scheme", "GET", "/proxy/x",
       proxy_headers({{"Base-Url-Override", "ftp://example.com/"}}), "", 400, "invalid_argument",
       "Base-Url-Override"},
      {"absolute URL endpoint", "GET", "/proxy/http://evil.example/x", proxy_headers(), "", 400,
       "invalid_argument", "scheme"},
      {"dot-dot endpoint", "GET", "/proxy/a/../../x", proxy_headers(), "", 400,
       "invalid_argument", "'..'"},
      {"encoded dot-dot endpoint", "GET", "/proxy/%2e%2e/x", proxy_headers(), "", 400,
       "invalid_argument", "'..'"},
      {"encoded slash endpoint", "GET", "/proxy/a%2fb/x", proxy_headers(), "", 400,
       "invalid_argument", "slash"},
      {"backslash endpoint", "GET", "/proxy/a\\b", proxy_headers(), "", 400, "invalid_argument",
       "backslash"},
      {"at-sign endpoint", "GET", "/proxy/@evil.example/x", proxy_headers(), "", 400,
       "invalid_argument", "'@'"},
      {"encoded NUL endpoint", "GET", "/proxy/%00x", proxy_headers(), "", 400,
       "invalid_argument", "control character"},
      {"encoded CRLF endpoint", "GET", "/proxy/x%0d%0aHost:evil", proxy_headers(), "", 400,
       "invalid_argument", "control character"},
      {"bad query encoding", "GET", "/proxy/x?a=%zz", proxy_headers(), "", 400,
       "invalid_argument", "percent-encoding"},
      {"unknown placeholder", "GET", "/proxy/$%7Bnope%7D/x", proxy_headers(), "", 400,
       "invalid_argument", "nope"},
      {"unclosed placeholder", "GET", "/proxy/$%7BconnectionConfig.cloudId/x", proxy_headers(),
       "", 400, "invalid_argument", "placeholder"},
      {"missing connection_config key", "GET", "/proxy/$%7BconnectionConfig.absent%7D/x",
       proxy_headers(), "", 400, "invalid_argument", "absent"},
  };
  for (const auto& c : cases) expect_refused(c);
  EXPECT_EQ(stored_keeper(), *keeper_);
}

TEST_F(BadInputServer, OAuthConnectAndCallbackRefusalsAreClear) {
  const std::string pk = std::string("&public_key=") + kPublicKey;
  const std::vector<ApiCase> cases = {
      {"connect without a key", "GET", "/oauth/connect/jira?connection_id=u1", {}, "", 401,
       "missing_auth_token", "public_key"},
      {"connect with a wrong public key", "GET",
       "/oauth/connect/jira?connection_id=u1&public_key=wrong", {}, "", 401, "invalid_public_key",
       "not valid"},
      {"connect to an unknown integration", "GET", "/oauth/connect/nope?connection_id=u1" + pk, {},
       "", 404, "unknown_config_key", "nope"},
      {"connect with a bogus session token", "GET",
       "/oauth/connect/jira?connection_id=u1&connect_session_token=bogus", {}, "", 401,
       "invalid_connect_session_token", "not valid"},
      {"connect with a very long connection id", "GET",
       "/oauth/connect/jira?connection_id=" + std::string(1000, 'k') + pk, {}, "", 400, "",
       "longer than 255"},
      {"callback without state", "GET", "/oauth/callback", {}, "", 400, "", "no state"},
      {"callback with code but no state", "GET", "/oauth/callback?code=x", {}, "", 400, "",
       "no state"},
      {"callback with an unknown state", "GET", "/oauth/callback?code=x&state=bogus", {}, "", 400,
       "", "unknown or was already used"},
      {"callback with a provider error", "GET",
       "/oauth/callback?error=access_denied&state=bogus", {}, "", 400, "", "access_denied"},
      {"callback with a bad encoding", "GET", "/oauth/callback?state=%zz", {}, "", 400, "",
       "state"},
      {"callback with a script in the error", "GET",
       "/oauth/callback?error=%3Cscript%3Ealert(1)%3C/script%3E&state=bogus", {}, "", 400, "",
       "&lt;script"},
      {"websocket upgrade without a key", "GET", "/",
       {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}, "", 400, "", "Sec-WebSocket-Key"},
  };
  for (const auto& c : cases) expect_refused(c);
  EXPECT_EQ(stored_keeper(), *keeper_);
}

TEST_F(BadInputServer, ActionRefusalsAndFailuresAreClear) {
  auto run = [&](const char* name, const std::string& body, int status, const std::string& code,
                 const std::string& says) {
    return ApiCase{name, "POST", "/action/trigger", proxy_headers(), body, status, code, says};
  };
  const std::vector<ApiCase> cases = {
      run("no action name", "{}", 400, "invalid_argument", "action_name"),
      run("action name a number", "{\"action_name\":5}", 400, "invalid_argument", "action_name"),
      run("unknown action", "{\"action_name\":\"nope\"}", 404, "not_found", "nope"),
      run("path in the action name", "{\"action_name\":\"../../etc/passwd\"}", 404, "not_found",
          "no action"),
      run("syntax error", "{\"action_name\":\"syntax-error\"}", 500, "action_failed",
          "syntax-error.action.lua:1"),
      run("not a function", "{\"action_name\":\"not-a-function\"}", 500, "action_failed",
          "function"),
      run("error payload", "{\"action_name\":\"raises\"}", 500, "action_failed", "bad project"),
      run("runtime error", "{\"action_name\":\"runtime-error\"}", 500, "action_failed",
          "runtime-error.action.lua:1: attempt to index a nil value"),
      run("output not JSON", "{\"action_name\":\"returns-function\"}", 500, "action_failed",
          "function"),
      run("cyclic output", "{\"action_name\":\"cyclic-output\"}", 500, "action_failed",
          "cyclic"),
      run("absolute URL from an action", "{\"action_name\":\"bad-endpoint\"}", 500,
          "action_failed", "scheme"),
      run("CR/LF header from an action", "{\"action_name\":\"bad-header\"}", 500, "action_failed",
          "X-A"),
      run("memory exhaustion", "{\"action_name\":\"huge-memory\"}", 500, "action_failed",
          "memory limit"),
      run("bytecode", "{\"action_name\":\"bytecode\"}", 500, "action_failed", "dump"),
  };
  for (const auto& c : cases) expect_refused(c);

  // The sandbox hands out no way to the process.
  HttpClient client("127.0.0.1", server_->port());
  auto escape = client.request("POST", "/action/trigger", proxy_headers(),
                               "{\"action_name\":\"escape-sandbox\"}");
  ASSERT_EQ(escape.status, 200) << escape.body;
  EXPECT_EQ(json::parse(escape.body),
            json({{"io", "nil"}, {"os", "nil"}, {"debug", "nil"}, {"require", "nil"},
                  {"dofile", "nil"}}));
  EXPECT_EQ(stored_keeper(), *keeper_);
}

}  // namespace
}  // namespace ferry::testing
