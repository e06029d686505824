// The OAuth 2 connect flow through the real binaries: ferry + fake-atlassian. The browser is
// played by following the redirects over plain HTTP (tests/browser runs a real one).
#include <gtest/gtest.h>
#include <signal.h>

#include <iterator>
#include <regex>

#include "oauth_fixture.h"

namespace ferry::testing {
namespace {

using namespace ferry::testing::oauth;

TEST(OAuthFlow, ConnectCallbackStoresTheCloudIdAndTheProxyReachesJira) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  Flow flow = run_flow(ferry, fake, connect_url("jira", "user-1"));

  ASSERT_EQ(flow.connect.status, 302) << flow.connect.body;
  const std::string provider = flow.connect.header("location");
  EXPECT_EQ(query_value(provider, "client_id"), "fake-client-id");
  EXPECT_EQ(query_value(provider, "redirect_uri"), "http://localhost:3003/oauth/callback");
  EXPECT_EQ(query_value(provider, "response_type"), "code");
  EXPECT_EQ(query_value(provider, "scope"),
            "read:jira-work write:jira-work read:jira-user offline_access");
  EXPECT_NE(provider.find("scope=read%3Ajira-work%20write"), std::string::npos) << provider;
  EXPECT_EQ(query_value(provider, "audience"), "api.atlassian.com");
  EXPECT_EQ(query_value(provider, "prompt"), "consent");
  EXPECT_TRUE(std::regex_match(query_value(provider, "state"), std::regex("[0-9a-f]{64}")));
  ASSERT_EQ(flow.authorize.status, 302) << flow.authorize.body;
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  EXPECT_NE(flow.callback.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(flow.callback.body.find("AUTHORIZATION_SUCEEDED"), std::string::npos);
  EXPECT_NE(flow.callback.body.find("window.opener.postMessage"), std::string::npos);

  json connection = get_connection(ferry, "jira", "user-1");
  ASSERT_EQ(connection["__status"], 200) << connection.dump();
  EXPECT_EQ(connection["provider"], "jira");
  EXPECT_EQ(connection["connection_config"]["cloudId"], kSiteA);
  EXPECT_EQ(connection["connection_config"]["baseUrl"], "https://acme.atlassian.net");
  EXPECT_EQ(connection["connection_config"]["sites"].size(), 1u);
  const json& credentials = connection["credentials"];
  EXPECT_EQ(credentials["type"], "OAUTH2");
  EXPECT_FALSE(credentials.value("access_token", "").empty());
  EXPECT_FALSE(credentials.value("refresh_token", "").empty());
  EXPECT_EQ(credentials["raw"]["expires_in"], 3600);
  EXPECT_EQ(credentials["raw"]["token_type"], "Bearer");
  EXPECT_TRUE(credentials.contains("expires_at"));

  auto myself = ferry.client().get(
      "/proxy/ex/jira/$%7BconnectionConfig.cloudId%7D/rest/api/3/myself",
      {{"Authorization", std::string("Bearer ") + kOAuthSecretKey},
       {"Connection-Id", "user-1"},
       {"Provider-Config-Key", "jira"}});
  ASSERT_EQ(myself.status, 200) << myself.body;
  EXPECT_FALSE(json::parse(myself.body).value("accountId", "").empty()) << myself.body;

  // The public key cannot re-authorise it (oauth_binding_test.cc has the details)...
  Flow again = run_flow(ferry, fake, connect_url("jira", "user-1"));
  EXPECT_EQ(again.connect.status, 409) << again.connect.body;
  // ...a reconnect session replaces the credentials of the same connection.
  auto reconnect = ferry.client().request(
      "POST", "/connect/sessions/reconnect", secret(),
      json{{"connection_id", "user-1"}, {"integration_id", "jira"}}.dump());
  ASSERT_EQ(reconnect.status, 201) << reconnect.body;
  const std::string token = json::parse(reconnect.body)["data"].value("token", "");
  Flow renewed = run_flow(ferry, fake, "/oauth/connect/jira?connect_session_token=" + token);
  ASSERT_EQ(renewed.callback.status, 200) << renewed.callback.body;
  json reconnected = get_connection(ferry, "jira", "user-1");
  EXPECT_EQ(reconnected["id"], connection["id"]);
  EXPECT_NE(reconnected["credentials"]["access_token"], credentials["access_token"]);
  auto listed = ferry.client().get("/connections?connectionId=user-1", secret());
  EXPECT_EQ(json::parse(listed.body)["connections"].size(), 1u);
}

TEST(OAuthFlow, SubdomainParamPicksTheMatchingSiteOfTwo) {
  RunningFake fake({"--sites", "2"});
  RunningFerry ferry(oauth_folder(fake));
  Flow flow = run_flow(ferry, fake, connect_url("jira", "user-2", "&params%5Bsubdomain%5D=globex"));
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  json connection = get_connection(ferry, "jira", "user-2");
  EXPECT_EQ(connection["connection_config"]["cloudId"], kSiteB);
  EXPECT_EQ(connection["connection_config"]["baseUrl"], "https://globex.atlassian.net");
  EXPECT_EQ(connection["connection_config"]["subdomain"], "globex");
  EXPECT_EQ(connection["connection_config"]["sites"].size(), 2u);

  auto myself = ferry.client().get(
      "/proxy/ex/jira/$%7BconnectionConfig.cloudId%7D/rest/api/3/myself",
      {{"Authorization", std::string("Bearer ") + kOAuthSecretKey},
       {"Connection-Id", "user-2"},
       {"Provider-Config-Key", "jira"}});
  EXPECT_EQ(myself.status, 200) << myself.body;
}

TEST(OAuthFlow, DenialShowsTheErrorPageAndStoresNothing) {
  RunningFake fake({"--deny"});
  RunningFerry ferry(oauth_folder(fake));
  Flow flow = run_flow(ferry, fake, connect_url("jira", "user-3"));
  ASSERT_EQ(flow.authorize.status, 302);
  EXPECT_EQ(flow.callback.status, 400);
  EXPECT_NE(flow.callback.body.find("AUTHORIZATION_FAILED"), std::string::npos);
  EXPECT_NE(flow.callback.body.find("access_denied"), std::string::npos);
  EXPECT_NE(flow.callback.body.find("callback_err"), std::string::npos);
  EXPECT_EQ(get_connection(ferry, "jira", "user-3")["__status"], 404);
}

TEST(OAuthFlow, AFailingPostConnectionStepLeavesAUsableConnectionAndAWarning) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  Flow flow = run_flow(ferry, fake, connect_url("jira", "user-4"), "", [&] {
    fake.fault({{"path_prefix", "/oauth/token/accessible-resources"},
                {"action", "status"},
                {"status", 503}});
  });
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  json connection = get_connection(ferry, "jira", "user-4");
  ASSERT_EQ(connection["__status"], 200);
  EXPECT_FALSE(connection["connection_config"].contains("cloudId"));
  EXPECT_FALSE(connection["credentials"].value("access_token", "").empty());
  json logs = wait_for_logs(ferry, "user-4", [](const json& entries) {
    for (const json& e : entries) {
      if (e.value("level", "") == "warn" &&
          e.value("message", "").find("atlassian_accessible_resources") != std::string::npos) {
        return true;
      }
    }
    return false;
  });
  EXPECT_NE(logs.dump().find("accessible-resources answered 503"), std::string::npos)
      << logs.dump();
  // The connection works once the cloud id is known (here: given by the caller).
  auto myself = ferry.client().get(
      std::string("/proxy/ex/jira/") + kSiteA + "/rest/api/3/myself",
      {{"Authorization", std::string("Bearer ") + kOAuthSecretKey},
       {"Connection-Id", "user-4"},
       {"Provider-Config-Key", "jira"}});
  EXPECT_EQ(myself.status, 200) << myself.body;
}

TEST(OAuthFlow, TheWebsocketClientGetsTheAckThenTheResult) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  WsClient ws(ferry.port());
  json ack = ws.next();
  ASSERT_EQ(ack.value("message_type", ""), "connection_ack") << ack.dump();
  const std::string id = ack.value("ws_client_id", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));

  Flow flow = run_flow(ferry, fake, connect_url("jira", "user-ws", "&ws_client_id=" + id));
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  // Every field @nangohq/frontend 0.71.10 reads from a success.
  EXPECT_EQ(ws.next(), (json{{"message_type", "success"},
                            {"provider_config_key", "jira"},
                            {"connection_id", "user-ws"},
                            {"is_pending", false}}));

  WsClient denied(ferry.port());
  const std::string denied_id = denied.next().value("ws_client_id", "");
  run_flow(ferry, fake, connect_url("jira", "user-ws2", "&ws_client_id=" + denied_id),
           "&fake_decision=deny");
  json error = denied.next();
  EXPECT_EQ(error.value("message_type", ""), "error") << error.dump();
  EXPECT_EQ(error.value("error_type", ""), "callback_err");
  EXPECT_NE(error.value("error_desc", "").find("access_denied"), std::string::npos);

  // A plain GET / is not a websocket: it is the dashboard's page.
  auto page = ferry.client().get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
}

TEST(OAuthFlow, AnOpenWebsocketDoesNotHoldTheGracefulStop) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  WsClient ws(ferry.port());
  ASSERT_EQ(ws.next().value("message_type", ""), "connection_ack");
  const auto started = std::chrono::steady_clock::now();
  ferry.process().signal(SIGTERM);
  EXPECT_EQ(ferry.process().wait(std::chrono::seconds(20)), 0);
  // Well within the 30 s grace an idle websocket would otherwise get.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(ws.next().is_null());  // the server closed it
}

TEST(OAuthFlow, ConnectSessionsAuthorizeConnectsToTheirIntegrations) {
  RunningFake fake;
  const std::string folder = oauth_folder(fake);
  RunningFerry ferry(folder);
  auto client = ferry.client();
  auto created = client.request(
      "POST", "/connect/sessions", secret(),
      json{{"end_user", {{"id", "end-user-1"}}},
           {"allowed_integrations", {"jira"}},
           {"connection_id", "user-5"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json data = json::parse(created.body)["data"];
  const std::string token = data.value("token", "");
  EXPECT_EQ(token.rfind("ferry_connect_session_", 0), 0u) << token;
  EXPECT_EQ(data.value("connect_link", ""),
            "http://localhost:3003/oauth/connect?connect_session_token=" + token);
  const auto expires = data.value("expires_at", "");
  EXPECT_TRUE(std::regex_match(expires, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << expires;

  // The connect link leads to the one integration the session allows.
  auto link = client.get(target_of(data.value("connect_link", "")));
  EXPECT_EQ(link.status, 302);
  EXPECT_EQ(link.header("location"), "/oauth/connect/jira?connect_session_token=" + token);

  // The backend fixed the connection id; the browser may repeat it.
  Flow flow = run_flow(ferry, fake,
                       "/oauth/connect/jira?connection_id=user-5&connect_session_token=" + token);
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  json connection = get_connection(ferry, "jira", "user-5");
  EXPECT_EQ(connection["connection_config"]["cloudId"], kSiteA);
  EXPECT_EQ(connection["end_user"]["id"], "end-user-1");
  // The token is stored only as a hash.
  std::ifstream db(folder + "/ferry.db", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(token), std::string::npos);
}

TEST(OAuthFlow, ClientCredentialsIntegrationsConnectWithoutAUser) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  // The fake speaks only authorization_code and refresh_token: a scripted token answer
  // stands in for a client_credentials token endpoint.
  const json token = {{"access_token", "cc-token-1"}, {"expires_in", 3600}, {"token_type", "Bearer"}};
  fake.fault({{"path_prefix", "/oauth/token"}, {"action", "status"}, {"status", 200},
              {"headers", {{"Content-Type", "application/json"}}}, {"body", token}});
  auto created = ferry.client().request(
      "POST", "/connections", secret(),
      json{{"provider_config_key", "machine"}, {"connection_id", "svc-1"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  json connection = get_connection(ferry, "machine", "svc-1");
  EXPECT_EQ(connection["credentials"]["type"], "OAUTH2");
  EXPECT_EQ(connection["credentials"]["access_token"], "cc-token-1");
  EXPECT_TRUE(connection["credentials"].contains("expires_at"));
  const json stats = fake.admin("GET", "stats");
  EXPECT_EQ(stats["requests_by_path"].value("/oauth/token", 0), 1) << stats.dump();

  // The connect endpoint needs no provider round trip either.
  fake.fault({{"path_prefix", "/oauth/token"}, {"action", "status"}, {"status", 200},
              {"headers", {{"Content-Type", "application/json"}}},
              {"body", {{"access_token", "cc-token-2"}, {"expires_in", 3600}}}});
  auto page = ferry.client().get(connect_url("machine", "svc-2"));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("AUTHORIZATION_SUCEEDED"), std::string::npos);
  EXPECT_EQ(get_connection(ferry, "machine", "svc-2")["credentials"]["access_token"], "cc-token-2");

  // A refused client is the provider's answer: 424, nothing stored.
  fake.fault({{"path_prefix", "/oauth/token"}, {"action", "status"}, {"status", 401},
              {"body", {{"error", "invalid_client"}}}});
  auto refused = ferry.client().request(
      "POST", "/connections", secret(),
      json{{"provider_config_key", "machine"}, {"connection_id", "svc-3"},
           {"credentials", {{"type", "OAUTH2_CC"}}}}.dump());
  EXPECT_EQ(refused.status, 424) << refused.body;
  EXPECT_NE(refused.body.find("invalid_client"), std::string::npos);
  EXPECT_EQ(get_connection(ferry, "machine", "svc-3")["__status"], 404);
}

TEST(OAuthFlow, TheFrontendSdkIsServed) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  auto sdk = ferry.client().get("/sdk/ferry-frontend.js");
  ASSERT_EQ(sdk.status, 200);
  EXPECT_EQ(sdk.header("content-type"), "application/javascript; charset=utf-8");
  EXPECT_NE(sdk.body.find("AUTHORIZATION_SUCEEDED"), std::string::npos);
  EXPECT_NE(sdk.body.find("blocked_by_browser"), std::string::npos);
}

}  // namespace
}  // namespace ferry::testing
