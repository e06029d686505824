// Every bad input of the connect flow gets its own error (issue "Bad input"), and none
// leaves a connection behind.
#include <gtest/gtest.h>

#include "oauth_fixture.h"

namespace ferry::testing {
namespace {

using namespace ferry::testing::oauth;

struct Expected {
  int status;
  std::string type;  // the JSON error code / the page's error type
};

void expect_json_error(const HttpReply& reply, const Expected& expected, const std::string& what) {
  EXPECT_EQ(reply.status, expected.status) << what << ": " << reply.body;
  json body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << what << ": " << reply.body;
  EXPECT_EQ(body["error"].value("code", ""), expected.type) << what << ": " << reply.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << what;
}

void expect_error_page(const HttpReply& reply, const Expected& expected, const std::string& what) {
  EXPECT_EQ(reply.status, expected.status) << what << ": " << reply.body;
  EXPECT_NE(reply.header("content-type").find("text/html"), std::string::npos) << what;
  EXPECT_NE(reply.body.find("AUTHORIZATION_FAILED"), std::string::npos) << what;
  EXPECT_NE(reply.body.find("\"type\":\"" + expected.type + "\""), std::string::npos)
      << what << ": " << reply.body;
}

TEST(OAuthBadInput, ConnectRejectsUnknownIntegrationsAndMissingOrWrongKeys) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  auto client = ferry.client();
  auto session = client.request(
      "POST", "/connect/sessions", secret(),
      json{{"end_user", {{"id", "u"}}}, {"allowed_integrations", {"close"}}}.dump());
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string close_only = json::parse(session.body)["data"].value("token", "");

  struct Case {
    std::string what;
    std::string target;
    Expected expected;
  };
  const std::string key = std::string("&public_key=") + kPublicKey;
  const Case cases[] = {
      {"unknown integration", "/oauth/connect/nope?connection_id=u" + key, {404, "unknown_config_key"}},
      {"no key at all", "/oauth/connect/jira?connection_id=u", {401, "missing_auth_token"}},
      {"wrong public key", "/oauth/connect/jira?connection_id=u&public_key=wrong", {401, "invalid_public_key"}},
      {"empty public key", "/oauth/connect/jira?connection_id=u&public_key=", {401, "invalid_public_key"}},
      {"unknown session token",
       "/oauth/connect/jira?connection_id=u&connect_session_token=ferry_connect_session_00",
       {401, "invalid_connect_session_token"}},
      {"session for another integration",
       "/oauth/connect/jira?connection_id=u&connect_session_token=" + close_only,
       {403, "integration_not_allowed"}},
      {"not an OAuth 2 integration", "/oauth/connect/close?connection_id=u" + key, {400, "auth_mode_err"}},
      // The key is checked before the integration: no probing of names without it.
      {"unknown integration, wrong key", "/oauth/connect/nope?public_key=wrong", {401, "invalid_public_key"}},
  };
  for (const Case& c : cases) {
    expect_json_error(client.get(c.target), c.expected, c.what);
    // In a popup (text/html accepted) the same failure is the error page.
    expect_error_page(client.get(c.target, {{"Accept", "text/html,*/*"}}), c.expected, c.what);
  }
  EXPECT_EQ(json::parse(client.get("/connections", secret()).body)["connections"].size(), 0u);

  // With a websocket client the failure reaches it too.
  WsClient ws(ferry.port());
  const std::string id = ws.next().value("ws_client_id", "");
  auto page = client.get("/oauth/connect/jira?connection_id=u&public_key=wrong&ws_client_id=" + id);
  expect_error_page(page, {401, "invalid_public_key"}, "websocket");
  json error = ws.next();
  EXPECT_EQ(error.value("message_type", ""), "error");
  EXPECT_EQ(error.value("error_type", ""), "invalid_public_key");
}

TEST(OAuthBadInput, CallbackRejectsMissingUnknownExpiredAndReplayedStates) {
  RunningFake fake;
  const std::string folder = oauth_folder(fake);
  RunningFerry ferry(folder);
  auto client = ferry.client();
  expect_error_page(client.get("/oauth/callback?code=abc"), {400, "state_err"}, "missing state");
  expect_error_page(client.get("/oauth/callback?code=abc&state=" + std::string(64, 'a')),
                    {400, "state_err"}, "unknown state");

  Flow done = run_flow(ferry, fake, connect_url("jira", "user-r"));
  ASSERT_EQ(done.callback.status, 200) << done.callback.body;
  auto replay = client.get(target_of(done.authorize.header("location")));
  expect_error_page(replay, {400, "state_err"}, "replayed state");
  EXPECT_NE(replay.body.find("already used"), std::string::npos);

  Flow late = run_flow(ferry, fake, connect_url("jira", "user-late"), "",
                       [&] { expire_oauth_states(folder); });
  expect_error_page(late.callback, {400, "state_err"}, "expired state");
  EXPECT_NE(late.callback.body.find("expired"), std::string::npos);
  EXPECT_EQ(get_connection(ferry, "jira", "user-late")["__status"], 404);

}

TEST(OAuthBadInput, ProviderErrorOnTheCallbackIsReported) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  auto connect = ferry.client().get(connect_url("jira", "user-p"));
  ASSERT_EQ(connect.status, 302);
  const std::string state = query_value(connect.header("location"), "state");
  auto page = ferry.client().get("/oauth/callback?error=server_error&error_description=" +
                                 url_encode("Something broke") + "&state=" + state);
  expect_error_page(page, {400, "callback_err"}, "provider error");
  EXPECT_NE(page.body.find("server_error: Something broke"), std::string::npos);
  // A callback with a valid state but no code.
  auto again = ferry.client().get(connect_url("jira", "user-p"));
  const std::string state2 = query_value(again.header("location"), "state");
  expect_error_page(ferry.client().get("/oauth/callback?state=" + state2), {400, "callback_err"},
                    "no code");
  EXPECT_EQ(get_connection(ferry, "jira", "user-p")["__status"], 404);
}

TEST(OAuthBadInput, TokenEndpointFailuresEndInTheErrorPageAndStoreNothing) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  struct Case {
    std::string what;
    json rule;
    int status;
    std::string says;
  };
  const json json_type = {{"Content-Type", "application/json"}};
  const Case cases[] = {
      {"non-JSON answer", {{"status", 200}, {"body", "<html>oops</html>"}}, 502, "JSON object"},
      {"5xx", {{"status", 503}, {"body", "down"}}, 502, "answered 503"},
      {"4xx", {{"status", 400}, {"headers", json_type},
               {"body", {{"error", "invalid_request"}, {"error_description", "authorization_code is invalid"}}}},
       424, "invalid_request: authorization_code is invalid"},
      {"no access_token", {{"status", 200}, {"headers", json_type},
                           {"body", {{"token_type", "Bearer"}, {"expires_in", 3600}}}},
       502, "no access_token"},
      {"expires_in not a number", {{"status", 200}, {"headers", json_type},
                                   {"body", {{"access_token", "at"}, {"expires_in", "soon"}}}},
       502, "expires_in"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string id = "user-t" + std::to_string(n++);
    json rule = c.rule;
    rule["path_prefix"] = "/oauth/token";
    rule["action"] = "status";
    Flow flow = run_flow(ferry, fake, connect_url("jira", id), "", [&] { fake.fault(rule); });
    expect_error_page(flow.callback, {c.status, "token_err"}, c.what);
    EXPECT_NE(flow.callback.body.find(c.says), std::string::npos) << c.what << ": "
                                                                  << flow.callback.body;
    EXPECT_EQ(get_connection(ferry, "jira", id)["__status"], 404) << c.what;
  }
}

TEST(OAuthBadInput, ConnectSessionsNeedTheSecretKeyAndAWellFormedBody) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  auto client = ferry.client();
  EXPECT_EQ(client.request("POST", "/connect/sessions", {{"Content-Type", "application/json"}},
                           json{{"end_user", {{"id", "u"}}}}.dump())
                .status,
            401);
  struct Case {
    std::string what;
    std::string body;
  };
  const Case cases[] = {
      {"not JSON", "{"},
      {"not an object", "[]"},
      {"no end_user", "{}"},
      {"end_user without id", R"({"end_user": {"email": "a@b.c"}})"},
      {"allowed_integrations not a list", R"({"end_user": {"id": "u"}, "allowed_integrations": "jira"})"},
      {"unknown allowed integration", R"({"end_user": {"id": "u"}, "allowed_integrations": ["nope"]})"},
      {"defaults for an unknown integration",
       R"({"end_user": {"id": "u"}, "integrations_config_defaults": {"nope": {}}})"},
  };
  for (const Case& c : cases) {
    auto reply = client.request("POST", "/connect/sessions", secret(), c.body);
    expect_json_error(reply, {400, "invalid_argument"}, c.what);
  }

  EXPECT_EQ(client.request("POST", "/connect/sessions/reconnect",
                           {{"Content-Type", "application/json"}},
                           json{{"connection_id", "u"}, {"integration_id", "jira"}}.dump())
                .status,
            401);
  const Case reconnect_cases[] = {
      {"not JSON", "{"},
      {"no connection_id", R"({"integration_id": "jira"})"},
      {"no integration_id", R"({"connection_id": "u"})"},
      {"unknown integration", R"({"connection_id": "u", "integration_id": "nope"})"},
      {"unknown field", R"({"connection_id": "u", "integration_id": "jira", "scope": "x"})"},
  };
  for (const Case& c : reconnect_cases) {
    auto reply = client.request("POST", "/connect/sessions/reconnect", secret(), c.body);
    expect_json_error(reply, {400, "invalid_argument"}, c.what);
  }
  expect_json_error(client.request("POST", "/connect/sessions/reconnect", secret(),
                                   R"({"connection_id": "nobody", "integration_id": "jira"})"),
                    {404, "not_found"}, "unknown connection");
}

}  // namespace
}  // namespace ferry::testing
