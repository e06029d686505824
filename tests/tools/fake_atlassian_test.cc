// fake-atlassian: OAuth (authorize, token, rotation), accessible-resources, admin API, stats,
// command line and the binary. Gateway and fault tests are in fake_atlassian_gateway_test.cc.
#include <csignal>
#include <map>

#include "fake_atlassian_fixture.h"
#include "process.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

TEST_F(FakeAtlassianTest, AuthorizeRedirectsBackWithACodeAndTheState) {
  auto reply = authorize(kScopes, "&code_challenge=abc&code_challenge_method=S256");
  ASSERT_EQ(reply.status, 302) << reply.body;
  EXPECT_EQ(reply.header("location").rfind(std::string(kCallback) + "?", 0), 0u);
  auto query = location_query(reply);
  EXPECT_GE(param(query, "code").size(), 32u);
  EXPECT_EQ(param(query, "state"), "st-123");
  EXPECT_EQ(query.count("error"), 0u);
}

TEST_F(FakeAtlassianTest, AuthorizeDeniesPerRequestOrByDefault) {
  auto denied = authorize(kScopes, "&fake_decision=deny");
  ASSERT_EQ(denied.status, 302);
  EXPECT_NE(
      denied.header("location")
          .find(
              "error=access_denied&error_description=User%20did%20not%20authorize%20the%20request"),
      std::string::npos)
      << denied.header("location");
  EXPECT_EQ(param(location_query(denied), "state"), "st-123");
  EXPECT_EQ(location_query(denied).count("code"), 0u);

  admin("POST", "config", {{"deny", true}});
  EXPECT_EQ(param(location_query(authorize()), "error"), "access_denied");
  EXPECT_FALSE(param(location_query(authorize(kScopes, "&fake_decision=approve")), "code").empty());
}

TEST_F(FakeAtlassianTest, AuthorizeRejectsBadRequests) {
  // Not a loopback URL while none is registered: an error page, never a redirect.
  auto page = authorize(kScopes, "", "https://evil.example/callback");
  EXPECT_EQ(page.status, 400);
  EXPECT_TRUE(page.header("location").empty());
  EXPECT_NE(page.body.find("unauthorized_client"), std::string::npos);
  // Comma-joined scopes are one malformed scope: Atlassian wants spaces.
  EXPECT_EQ(param(location_query(authorize("read:jira-work,offline_access")), "error"),
            "invalid_scope");
  EXPECT_EQ(get("/authorize?client_id=someone-else&redirect_uri=" + url_encode(kCallback) +
                "&response_type=code&scope=read:jira-work&state=s")
                .status,
            400);
}

TEST_F(FakeAtlassianTest, OnlyRegisteredRedirectUrisAreAcceptedWhenSomeAreGiven) {
  Options options;
  options.redirect_uris = {"http://127.0.0.1:9999/cb"};
  start(options);
  EXPECT_EQ(authorize(kScopes, "", kCallback).status, 400);
  EXPECT_EQ(authorize(kScopes, "", "http://127.0.0.1:9999/cb").status, 302);
}

TEST_F(FakeAtlassianTest, CodeExchangeReturnsBearerTokensOnce) {
  const std::string code = code_for();
  auto reply = exchange(code);
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3600);
  EXPECT_EQ(body["scope"], kScopes);
  EXPECT_GT(body["access_token"].get<std::string>().size(), 200u);
  EXPECT_GT(body["refresh_token"].get<std::string>().size(), 64u);

  auto again = exchange(code);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(json::parse(again.body)["error"], "invalid_request");
}

TEST_F(FakeAtlassianTest, NoRefreshTokenWithoutOfflineAccess) {
  auto body = json::parse(exchange(code_for("read:jira-work")).body);
  EXPECT_TRUE(body.contains("access_token"));
  EXPECT_FALSE(body.contains("refresh_token"));
}

TEST_F(FakeAtlassianTest, FormBodiesAndBasicClientAuthAreAccepted) {
  const std::string form = "grant_type=authorization_code&code=" + code_for() +
                           "&redirect_uri=" + url_encode(kCallback) +
                           "&client_id=fake-client-id&client_secret=fake-client-secret";
  auto reply = request("POST", "/oauth/token",
                       {{"Content-Type", "application/x-www-form-urlencoded"}}, form);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string refresh_token = json::parse(reply.body)["refresh_token"];
  // "fake-client-id:fake-client-secret" in base64.
  auto basic = request("POST", "/oauth/token",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Authorization", "Basic ZmFrZS1jbGllbnQtaWQ6ZmFrZS1jbGllbnQtc2VjcmV0"}},
                       "grant_type=refresh_token&refresh_token=" + url_encode(refresh_token));
  EXPECT_EQ(basic.status, 200) << basic.body;
}

TEST_F(FakeAtlassianTest, WrongClientSecretIsAccessDenied) {
  for (const std::string secret : {"wrong", ""}) {
    auto reply = exchange(code_for(), secret);
    EXPECT_EQ(reply.status, 401) << secret;
    EXPECT_EQ(json::parse(reply.body),
              json({{"error", "access_denied"}, {"error_description", "Unauthorized"}}));
  }
}

TEST_F(FakeAtlassianTest, RefreshRotatesAndTheOldTokenWorksWithinTheLeeway) {
  const TokenPair first = connect();
  auto rotated = refresh(first.refresh);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string second = json::parse(rotated.body)["refresh_token"];
  EXPECT_NE(second, first.refresh);
  EXPECT_NE(json::parse(rotated.body)["access_token"], first.access);

  admin("POST", "clock", {{"advance_seconds", 599}});
  auto replay = refresh(first.refresh);
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(refresh(second).status, 200);
}

TEST_F(FakeAtlassianTest, ReuseAfterTheLeewayRevokesTheWholeFamily) {
  const TokenPair first = connect();
  const std::string second = json::parse(refresh(first.refresh).body)["refresh_token"];
  admin("POST", "clock", {{"advance_seconds", 601}});

  auto reuse = refresh(first.refresh);
  EXPECT_EQ(reuse.status, 403);
  EXPECT_EQ(json::parse(reuse.body),
            json({{"error", "invalid_grant"},
                  {"error_description", "Unknown or invalid refresh token."}}));
  // The newest token of the grant died with it.
  EXPECT_EQ(refresh(second).status, 403);
  // Another consent is unaffected.
  EXPECT_EQ(refresh(connect().refresh).status, 200);
}

TEST_F(FakeAtlassianTest, LeewayComesFromTheCommandLine) {
  Options options;
  options.config.leeway = std::chrono::seconds(0);
  start(options);
  const TokenPair first = connect();
  ASSERT_EQ(refresh(first.refresh).status, 200);
  admin("POST", "clock", {{"advance_seconds", 1}});
  EXPECT_EQ(refresh(first.refresh).status, 403);
}

TEST_F(FakeAtlassianTest, AccessibleResourcesListsTheGrantedSitesInAlternatingOrder) {
  Options options;
  options.config.sites = 2;
  start(options);
  const TokenPair tokens = connect();
  auto first = json::parse(get("/oauth/token/accessible-resources", tokens.access).body);
  auto second = json::parse(get("/oauth/token/accessible-resources", tokens.access).body);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(first[0]["id"], second[1]["id"]);
  EXPECT_EQ(first[1]["id"], second[0]["id"]);
  for (const auto& site : first) {
    for (const char* key : {"id", "name", "url", "scopes", "avatarUrl"}) {
      EXPECT_TRUE(site.contains(key)) << key;
    }
    const bool confluence = site["id"] == kSiteA;
    EXPECT_EQ(site["scopes"].dump().find("confluence") != std::string::npos, confluence);
  }
  EXPECT_EQ(get("/oauth/token/accessible-resources").status, 401);
}

TEST_F(FakeAtlassianTest, ThreeSitesEachWithTheirOwnIdUrlAndAvatar) {
  admin("POST", "config", {{"sites", 3}});
  const TokenPair tokens = connect();
  auto first = json::parse(get("/oauth/token/accessible-resources", tokens.access).body);
  auto second = json::parse(get("/oauth/token/accessible-resources", tokens.access).body);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(first[i]["id"], second[2 - i]["id"]);
  std::map<std::string, std::string> url_by_id;
  for (const auto& site : first) {
    url_by_id[site["id"]] = site["url"];
    EXPECT_FALSE(site["avatarUrl"].get<std::string>().empty()) << site.dump();
    const bool confluence = site["id"] == kSiteA;
    EXPECT_EQ(site["scopes"].dump().find("confluence") != std::string::npos, confluence);
  }
  EXPECT_EQ(url_by_id, (std::map<std::string, std::string>{
                           {kSiteA, "https://acme.atlassian.net"},
                           {kSiteB, "https://globex.atlassian.net"},
                           {kSiteC, "https://initech.atlassian.net"}}));
  EXPECT_EQ(get(jira(kSiteC, "issue/PROJ-1"), tokens.access).status, 200);
  EXPECT_EQ(
      get(std::string("/ex/confluence/") + kSiteC + "/wiki/api/v2/pages", tokens.access).status,
      404);
  // A grant made while two sites were configured does not reach the third.
  admin("POST", "config", {{"sites", 2}});
  EXPECT_EQ(get(jira(kSiteC, "myself"), connect().access).status, 404);
}

TEST_F(FakeAtlassianTest, OneSiteByDefault) {
  auto sites = json::parse(get("/oauth/token/accessible-resources", connect().access).body);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["id"], kSiteA);
}

TEST_F(FakeAtlassianTest, AdminRevokeKillsTokens) {
  const TokenPair a = connect();
  const TokenPair b = connect();
  EXPECT_EQ(admin("POST", "revoke", {{"access_token", a.access}})["revoked"], 1);
  EXPECT_EQ(get(jira(kSiteA, "myself"), a.access).status, 401);
  EXPECT_EQ(get(jira(kSiteA, "myself"), b.access).status, 200);
  admin("POST", "revoke");  // everything, like a password change
  EXPECT_EQ(get(jira(kSiteA, "myself"), b.access).status, 401);
  EXPECT_EQ(refresh(b.refresh).status, 403);
}

TEST_F(FakeAtlassianTest, StatsCountRequestsByPathAndTokenGrants) {
  const TokenPair tokens = connect();
  refresh(tokens.refresh);
  get(jira(kSiteA, "myself"), tokens.access);
  admin("POST", "faults", {{"path_prefix", "/ex/jira"}, {"action", "status"}, {"status", 503}});
  EXPECT_EQ(get(jira(kSiteA, "myself"), tokens.access).status, 503);

  auto stats = admin("GET", "stats");
  EXPECT_EQ(stats["token_requests"],
            json({{"authorization_code", 1}, {"refresh_token", 1}, {"total", 2}}));
  EXPECT_EQ(stats["requests_by_path"]["/authorize"], 1);
  EXPECT_EQ(stats["requests_by_path"]["/oauth/token"], 2);
  EXPECT_EQ(stats["requests_by_path"][jira(kSiteA, "myself")], 2);  // the faulted one too
  EXPECT_EQ(stats["requests_total"], 5);                            // admin calls are not counted

  admin("POST", "reset-stats");
  stats = admin("GET", "stats");
  EXPECT_EQ(stats["requests_total"], 0);
  EXPECT_EQ(stats["token_requests"]["total"], 0);
}

TEST_F(FakeAtlassianTest, AdminRejectsUnknownConfigAndBadFaults) {
  EXPECT_EQ(request("POST", "/__admin/config", {}, R"({"sitez": 2})").status, 400);
  EXPECT_EQ(request("POST", "/__admin/config", {}, R"({"sites": 0})").status, 400);
  EXPECT_EQ(request("POST", "/__admin/config", {}, R"({"sites": 4})").status, 400);
  EXPECT_EQ(request("POST", "/__admin/faults", {}, R"({"action": "explode"})").status, 400);
  EXPECT_EQ(request("POST", "/__admin/faults", {}, R"({"action": "status"})").status, 400);
  EXPECT_EQ(admin("GET", "faults")["faults"].size(), 0u);
}

TEST(FakeAtlassianCommandLine, ParsesEveryOption) {
  auto options = parse_command_line(
      {"--port", "8123", "--client-id", "id", "--client-secret=s", "--redirect-uri", "http://a/cb",
       "--redirect-uri", "http://b/cb", "--sites", "3", "--deny", "--leeway-seconds", "30"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->port, 8123);
  EXPECT_EQ(options->client_id, "id");
  EXPECT_EQ(options->client_secret, "s");
  EXPECT_EQ(options->redirect_uris, (std::vector<std::string>{"http://a/cb", "http://b/cb"}));
  EXPECT_EQ(options->config.sites, 3);
  EXPECT_TRUE(options->config.deny);
  EXPECT_EQ(options->config.leeway, std::chrono::seconds(30));
}

TEST(FakeAtlassianCommandLine, RejectsBadArguments) {
  const std::vector<std::vector<std::string>> cases = {{"--port"},       {"--port", "70000"},
                                                       {"--sites", "4"}, {"--leeway-seconds", "-1"},
                                                       {"--frobnicate"}, {"--deny=yes"}};
  for (const auto& args : cases) {
    auto options = parse_command_line(args);
    ASSERT_FALSE(options) << args[0];
    EXPECT_EQ(options.error().code, Errc::invalid_argument);
  }
}

TEST(FakeAtlassianBinary, PrintsItsPortFirstAndServesUntilSignalled) {
  testing::Process process({FAKE_ATLASSIAN_BINARY, "--port", "0", "--sites", "2"});
  ASSERT_TRUE(process.wait_for_output("\n", std::chrono::seconds(30))) << process.output();
  const std::string first_line = process.output().substr(0, process.output().find('\n'));
  const std::string prefix = "fake-atlassian listening on http://127.0.0.1:";
  ASSERT_EQ(first_line.rfind(prefix, 0), 0u) << first_line;
  const auto port = static_cast<unsigned short>(std::stoi(first_line.substr(prefix.size())));
  testing::HttpClient client("127.0.0.1", port);
  auto config = client.get("/__admin/config");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(json::parse(config.body)["sites"], 2);
  process.signal(SIGTERM);
  EXPECT_EQ(process.wait(std::chrono::seconds(30)), 0);
}

}  // namespace
}  // namespace ferry::fake_atlassian
