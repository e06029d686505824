// Connect binding (DESIGN.md §4) through the real binaries: who may create or re-authorise
// which connection, single-use connect sessions, the callback page's target origin and the
// per-client caps on pending flows and websockets.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "oauth_fixture.h"

namespace ferry::testing {
namespace {

using namespace ferry::testing::oauth;

// POST `path` (a connect session endpoint) with `body`; the token, or "" after a failure.
std::string new_session(RunningFerry& ferry, const json& body,
                        const std::string& path = "/connect/sessions") {
  auto created = ferry.client().request("POST", path, secret(), body.dump());
  EXPECT_EQ(created.status, 201) << created.body;
  json parsed = json::parse(created.body, nullptr, false);
  return parsed.is_object() ? parsed["data"].value("token", "") : "";
}

std::string reconnect_session(RunningFerry& ferry, const std::string& connection_id,
                              json extra = json::object()) {
  extra["connection_id"] = connection_id;
  extra["integration_id"] = "jira";
  return new_session(ferry, extra, "/connect/sessions/reconnect");
}

std::string session_url(const std::string& integration, const std::string& token,
                        const std::string& extra = "") {
  return "/oauth/connect/" + integration + "?connect_session_token=" + token + extra;
}

// The JSON error of a connect request made by a script (no text/html accepted).
void expect_error(const HttpReply& reply, int status, const std::string& code,
                  const std::string& what) {
  EXPECT_EQ(reply.status, status) << what << ": " << reply.body;
  json body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << what << ": " << reply.body;
  EXPECT_EQ(body["error"].value("code", ""), code) << what << ": " << reply.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << what;
}

// The target origin the callback page passes to postMessage, or "" when there is none.
std::string page_target_origin(const std::string& page) {
  std::smatch match;
  if (!std::regex_search(page, match, std::regex(R"(postMessage\(message, ("[^"]*")\))"))) {
    return "";
  }
  return json::parse(match[1].str()).get<std::string>();
}

std::string access_token(RunningFerry& ferry, const std::string& id) {
  return get_connection(ferry, "jira", id)["credentials"].value("access_token", "");
}

TEST(OAuthBinding, APublicKeyFlowCreatesButNeverOverwrites) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  Flow first = run_flow(ferry, fake, connect_url("jira", "user-1"));
  ASSERT_EQ(first.callback.status, 200) << first.callback.body;
  const std::string token = access_token(ferry, "user-1");
  ASSERT_FALSE(token.empty());

  // Refused at the start, before the user sees any consent screen.
  auto again = ferry.client().get(connect_url("jira", "user-1"));
  expect_error(again, 409, "connection_already_exists", "existing connection");
  EXPECT_NE(again.body.find("reconnect session"), std::string::npos) << again.body;
  EXPECT_EQ(access_token(ferry, "user-1"), token);

  // Two flows for one new connection both pass the start; the store's insert decides at the
  // callback: the second ends in the error path and the first one's credentials stay.
  auto a = ferry.client().get(connect_url("jira", "user-2"));
  auto b = ferry.client().get(connect_url("jira", "user-2"));
  ASSERT_EQ(a.status, 302);
  ASSERT_EQ(b.status, 302);
  auto consent_a = fake.client().get(target_of(a.header("location")));
  auto consent_b = fake.client().get(target_of(b.header("location")));
  auto page_a = ferry.client().get(target_of(consent_a.header("location")));
  ASSERT_EQ(page_a.status, 200) << page_a.body;
  const std::string winner = access_token(ferry, "user-2");
  auto page_b = ferry.client().get(target_of(consent_b.header("location")));
  EXPECT_EQ(page_b.status, 409) << page_b.body;
  EXPECT_NE(page_b.body.find("AUTHORIZATION_FAILED"), std::string::npos);
  EXPECT_NE(page_b.body.find("\"type\":\"connection_already_exists\""), std::string::npos)
      << page_b.body;
  EXPECT_EQ(access_token(ferry, "user-2"), winner);

  // A client_credentials integration follows the same rule.
  fake.fault({{"path_prefix", "/oauth/token"}, {"action", "status"}, {"status", 200},
              {"headers", {{"Content-Type", "application/json"}}},
              {"body", {{"access_token", "cc-1"}, {"expires_in", 3600}}}});
  ASSERT_EQ(ferry.client().get(connect_url("machine", "svc-1")).status, 200);
  fake.fault({{"path_prefix", "/oauth/token"}, {"action", "status"}, {"status", 200},
              {"headers", {{"Content-Type", "application/json"}}},
              {"body", {{"access_token", "cc-2"}, {"expires_in", 3600}}}});
  expect_error(ferry.client().get(connect_url("machine", "svc-1")), 409,
               "connection_already_exists", "client_credentials");
  EXPECT_EQ(get_connection(ferry, "machine", "svc-1")["credentials"]["access_token"], "cc-1");
}

TEST(OAuthBinding, AReconnectSessionReauthorisesItsConnectionOnly) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  ASSERT_EQ(run_flow(ferry, fake, connect_url("jira", "user-1")).callback.status, 200);
  const json before = get_connection(ferry, "jira", "user-1");

  expect_error(ferry.client().request("POST", "/connect/sessions/reconnect", secret(),
                                      json{{"connection_id", "nobody"},
                                           {"integration_id", "jira"}}.dump()),
               404, "not_found", "unknown connection");

  const std::string token = reconnect_session(
      ferry, "user-1", {{"end_user", {{"id", "end-user-1"}, {"email", "ada@example.com"}}},
                        {"organization", {{"id", "org-1"}}},
                        {"tags", {{"team", "blue"}}}});
  // Bound to user-1: another id from the browser is refused, and uses nothing up.
  expect_error(ferry.client().get(session_url("jira", token, "&connection_id=user-2")), 400,
               "connection_id_not_allowed", "other connection id");
  Flow flow = run_flow(ferry, fake, session_url("jira", token));
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  EXPECT_NE(flow.callback.body.find("\"connectionId\":\"user-1\""), std::string::npos);
  const json after = get_connection(ferry, "jira", "user-1");
  EXPECT_EQ(after["id"], before["id"]);
  EXPECT_NE(after["credentials"]["access_token"], before["credentials"]["access_token"]);
  EXPECT_EQ(after["end_user"]["id"], "end-user-1");
  EXPECT_EQ(after["end_user"]["email"], "ada@example.com");
  EXPECT_EQ(after["end_user"]["organization"]["id"], "org-1");
  EXPECT_EQ(after["tags"], (json{{"team", "blue"},
                                 {"end_user_id", "end-user-1"},
                                 {"end_user_email", "ada@example.com"},
                                 {"organization_id", "org-1"}}));

  // A reconnect session whose connection was deleted meanwhile creates nothing.
  const std::string stale = reconnect_session(ferry, "user-1");
  ASSERT_EQ(ferry.client().request("DELETE", "/connections/user-1?provider_config_key=jira",
                                   secret()).status / 100, 2);
  expect_error(ferry.client().get(session_url("jira", stale)), 404, "unknown_connection",
               "deleted connection");
  EXPECT_EQ(get_connection(ferry, "jira", "user-1")["__status"], 404);
}

TEST(OAuthBinding, ASessionTokenServesExactlyOneFlow) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  const std::string token = new_session(ferry, {{"end_user", {{"id", "end-user-1"}}}});
  auto first = ferry.client().get(session_url("jira", token));
  ASSERT_EQ(first.status, 302) << first.body;
  auto second = ferry.client().get(session_url("jira", token));
  expect_error(second, 409, "connect_session_used", "second use");
  EXPECT_NE(second.body.find("already used"), std::string::npos) << second.body;
  // Also as the popup's error page, and for the connect link.
  auto page = ferry.client().get(session_url("jira", token), {{"Accept", "text/html"}});
  EXPECT_EQ(page.status, 409);
  EXPECT_NE(page.body.find("\"type\":\"connect_session_used\""), std::string::npos) << page.body;
  auto link = ferry.client().get("/oauth/connect?connect_session_token=" + token);
  EXPECT_EQ(link.status, 409);
  EXPECT_NE(link.body.find("\"type\":\"connect_session_used\""), std::string::npos) << link.body;

  // Racing requests with one fresh token: exactly one starts a flow.
  const std::string raced = new_session(ferry, {{"end_user", {{"id", "end-user-2"}}}});
  std::atomic<int> started{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto reply = ferry.client().get(session_url("jira", raced));
      if (reply.status == 302) ++started;
      if (reply.status == 409 && reply.body.find("connect_session_used") != std::string::npos) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST(OAuthBinding, AllowedIntegrationsAreEnforcedWithoutUsingTheSessionUp) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  const std::string token =
      new_session(ferry, {{"end_user", {{"id", "end-user-1"}}}, {"allowed_integrations", {"jira"}}});
  expect_error(ferry.client().get(session_url("machine", token)), 403, "integration_not_allowed",
               "integration outside the list");
  Flow flow = run_flow(ferry, fake, session_url("jira", token));
  EXPECT_EQ(flow.callback.status, 200) << flow.callback.body;
}

TEST(OAuthBinding, TheBackendFixesTheConnectionIdOrFerryGeneratesOne) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  const std::string fixed = new_session(
      ferry, {{"end_user", {{"id", "end-user-1"}}}, {"connection_id", "fixed-1"}});
  expect_error(ferry.client().get(session_url("jira", fixed, "&connection_id=chosen-by-user")),
               400, "connection_id_not_allowed", "browser id differs");
  Flow flow = run_flow(ferry, fake, session_url("jira", fixed));
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  EXPECT_EQ(get_connection(ferry, "jira", "fixed-1")["end_user"]["id"], "end-user-1");
  EXPECT_EQ(get_connection(ferry, "jira", "chosen-by-user")["__status"], 404);

  // Without a fixed id the browser may not choose one either; Ferry makes one and says which.
  const std::string open = new_session(ferry, {{"end_user", {{"id", "end-user-2"}}},
                                               {"tags", {{"plan", "pro"}}}});
  expect_error(ferry.client().get(session_url("jira", open, "&connection_id=victim")), 400,
               "connection_id_not_allowed", "browser id without a fixed one");
  WsClient ws(ferry.port());
  const std::string ws_id = ws.next().value("ws_client_id", "");
  Flow generated = run_flow(ferry, fake, session_url("jira", open, "&ws_client_id=" + ws_id));
  ASSERT_EQ(generated.callback.status, 200) << generated.callback.body;
  json success = ws.next();
  const std::string id = success.value("connection_id", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << success.dump();
  EXPECT_NE(generated.callback.body.find("\"connectionId\":\"" + id + "\""), std::string::npos);
  json connection = get_connection(ferry, "jira", id);
  EXPECT_EQ(connection["end_user"]["id"], "end-user-2");
  EXPECT_EQ(connection["tags"], (json{{"plan", "pro"}, {"end_user_id", "end-user-2"}}));
  EXPECT_EQ(get_connection(ferry, "jira", "victim")["__status"], 404);
}

TEST(OAuthBinding, BrowserParamsCannotOverrideTheBackendsConnectionConfig) {
  RunningFake fake({"--sites", "2"});
  RunningFerry ferry(oauth_folder(fake));
  const json body = {{"end_user", {{"id", "end-user-1"}}},
                     {"connection_id", "user-1"},
                     {"integrations_config_defaults",
                      {{"jira", {{"connection_config", {{"subdomain", "acme"}}}}}}}};
  const std::string token = new_session(ferry, body);
  auto overridden = ferry.client().get(session_url("jira", token, "&params%5Bsubdomain%5D=globex"));
  expect_error(overridden, 400, "param_not_allowed", "override");
  EXPECT_NE(overridden.body.find("params[subdomain]"), std::string::npos) << overridden.body;

  // Repeating the backend's value and adding a new key is fine.
  Flow flow = run_flow(ferry, fake,
                       session_url("jira", token, "&params%5Bsubdomain%5D=acme&params%5Bextra%5D=x"));
  ASSERT_EQ(flow.callback.status, 200) << flow.callback.body;
  json connection = get_connection(ferry, "jira", "user-1");
  EXPECT_EQ(connection["connection_config"]["subdomain"], "acme");
  EXPECT_EQ(connection["connection_config"]["extra"], "x");
  EXPECT_EQ(connection["connection_config"]["cloudId"], kSiteA);
}

TEST(OAuthBinding, TheCallbackPagePostsOnlyToTheOriginThatStartedTheFlow) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  // Ferry's SDK names its page's origin.
  Flow named = run_flow(ferry, fake,
                        connect_url("jira", "user-1", "&origin=https%3A%2F%2Fapp.example.com"));
  ASSERT_EQ(named.callback.status, 200) << named.callback.body;
  EXPECT_EQ(page_target_origin(named.callback.body), "https://app.example.com");
  EXPECT_EQ(named.callback.body.find("'*'"), std::string::npos);

  // @nangohq/frontend's popup carries the opener's Referer.
  auto connect = ferry.client().get(connect_url("jira", "user-2"),
                                    {{"Referer", "https://shop.example.org:8443/settings?tab=1"}});
  ASSERT_EQ(connect.status, 302) << connect.body;
  auto consent = fake.client().get(target_of(connect.header("location")) + "&fake_decision=deny");
  auto denied = ferry.client().get(target_of(consent.header("location")));
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(page_target_origin(denied.body), "https://shop.example.org:8443");

  // Unknown starter: the server's own origin (server_root_url), never '*'.
  Flow unnamed = run_flow(ferry, fake, connect_url("jira", "user-3"));
  EXPECT_EQ(page_target_origin(unnamed.callback.body), "http://localhost:3003");
  auto no_state = ferry.client().get("/oauth/callback?code=x&state=unknown");
  EXPECT_EQ(page_target_origin(no_state.body), "http://localhost:3003");

  // Errors at the connect step post to the request's origin too.
  auto wrong_key = ferry.client().get(
      "/oauth/connect/jira?public_key=wrong&origin=https%3A%2F%2Fapp.example.com",
      {{"Accept", "text/html"}});
  EXPECT_EQ(wrong_key.status, 401);
  EXPECT_EQ(page_target_origin(wrong_key.body), "https://app.example.com");

  // Not an origin: refused, whatever else the request says.
  for (const std::string bad : {"*", "javascript%3Aalert(1)", "https%3A%2F%2Fa.example%2Fpath",
                                "https%3A%2F%2Fx%22%3C%2Fscript%3E"}) {
    expect_error(ferry.client().get(connect_url("jira", "user-4", "&origin=" + bad)), 400,
                 "invalid_origin", bad);
  }
  EXPECT_EQ(get_connection(ferry, "jira", "user-4")["__status"], 404);

  // The connect link passes the origin on to the flow it leads to.
  const std::string token =
      new_session(ferry, {{"end_user", {{"id", "u"}}}, {"allowed_integrations", {"jira"}}});
  auto link = ferry.client().get("/oauth/connect?connect_session_token=" + token,
                                 {{"Referer", "https://app.example.com/page"}});
  EXPECT_EQ(link.status, 302);
  EXPECT_EQ(link.header("location"), "/oauth/connect/jira?connect_session_token=" + token +
                                         "&origin=https%3A%2F%2Fapp.example.com");
}

TEST(OAuthBinding, PendingFlowsPerClientAreCappedAndRecover) {
  RunningFake fake;
  const std::string folder = oauth_folder(fake);
  RunningFerry ferry(folder);
  auto client = ferry.client();
  std::string first_location;
  for (int i = 0; i < 64; ++i) {
    auto started = client.get(connect_url("jira", "pending-" + std::to_string(i)));
    ASSERT_EQ(started.status, 302) << i << ": " << started.body;
    if (i == 0) first_location = started.header("location");
  }
  auto over = client.get(connect_url("jira", "pending-64"));
  expect_error(over, 429, "too_many_requests", "65th pending flow");
  EXPECT_NE(over.body.find("at most 64"), std::string::npos) << over.body;
  // A session token is not used up by a refused start.
  const std::string token = new_session(ferry, {{"end_user", {{"id", "u"}}}});
  expect_error(client.get(session_url("jira", token)), 429, "too_many_requests", "with session");

  // A finished flow gives its place back...
  auto consent = fake.client().get(target_of(first_location));
  ASSERT_EQ(ferry.client().get(target_of(consent.header("location"))).status, 200);
  EXPECT_EQ(client.get(session_url("jira", token)).status, 302);
  expect_error(client.get(connect_url("jira", "pending-65")), 429, "too_many_requests", "full");
  // ...and expired ones give theirs back without anyone finishing them.
  expire_oauth_states(folder);
  EXPECT_EQ(client.get(connect_url("jira", "pending-66")).status, 302);
}

// An upgrade request over plain HTTP, to see the answer to a refused one.
HttpReply upgrade(RunningFerry& ferry) {
  return ferry.client().get("/", {{"Connection", "Upgrade"},
                                  {"Upgrade", "websocket"},
                                  {"Sec-WebSocket-Version", "13"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
}

TEST(OAuthBinding, WebsocketsPerClientAreCappedAndClosedOnesAreGivenBack) {
  RunningFake fake;
  RunningFerry ferry(oauth_folder(fake));
  std::vector<std::unique_ptr<WsClient>> open;
  for (int i = 0; i < 32; ++i) {
    open.push_back(std::make_unique<WsClient>(ferry.port()));
    ASSERT_EQ(open.back()->next().value("message_type", ""), "connection_ack") << i;
  }
  auto refused = upgrade(ferry);
  expect_error(refused, 429, "too_many_requests", "33rd websocket");
  EXPECT_NE(refused.body.find("32 websockets"), std::string::npos) << refused.body;

  // Closing every one gives every place back (polled: the server sees the close shortly).
  open.clear();
  bool reopened = false;
  for (int i = 0; i < 100 && !reopened; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    reopened = upgrade(ferry).status == 101;
  }
  ASSERT_TRUE(reopened);
  for (int i = 0; i < 32; ++i) {
    std::unique_ptr<WsClient> ws;
    for (int attempt = 0; attempt < 100 && !ws; ++attempt) {
      try {
        ws = std::make_unique<WsClient>(ferry.port());
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a place still closing
      }
    }
    ASSERT_TRUE(ws) << i;
    EXPECT_EQ(ws->next().value("message_type", ""), "connection_ack") << i;
    open.push_back(std::move(ws));
  }
  EXPECT_EQ(upgrade(ferry).status, 429);
}

}  // namespace
}  // namespace ferry::testing
