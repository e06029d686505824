// The dashboard's API against the running binary: sign-in, the session cookie opening the
// backend routes (and nothing without it), the CSRF and cross-site checks on state-changing
// requests, sign-out, and what the dashboard's own routes show (credentials masked, health).
#include <nlohmann/json.hpp>

#include "fake_atlassian_process.h"
#include "fake_atlassian_setup.h"
#include "ferry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecretKey = "dashboard-secret-key-0123456789abcdef";
constexpr const char* kPassword = "dashboard-admin-password";
constexpr const char* kAccessToken = "at-dashboard-very-secret-0123456789";

std::string dashboard_folder() {
  std::string dir = make_temp_dir("ferry-dashboard");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey +
                                      "\nadmin_password: " + kPassword + "\n");
  write_file(dir + "/integrations.yaml",
             "integrations:\n"
             "  jira:\n"
             "    extends_blueprint: jira:v0\n"
             "    oauth_client_id: dashboard-client\n"
             "    oauth_client_secret: dashboard-client-secret-0123456789\n");
  return dir;
}

Headers with_key() {
  return {{"Authorization", std::string("Bearer ") + kSecretKey},
          {"Content-Type", "application/json"}};
}

struct SignedIn {
  std::string cookie;  // "ferry_dashboard=..."
  std::string csrf;
};

class DashboardApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(ferry_.port(), 0);
    json connection = {{"provider_config_key", "jira"},
                       {"connection_id", "user-1"},
                       {"credentials",
                        {{"type", "OAUTH2"},
                         {"access_token", kAccessToken},
                         {"refresh_token", "rt-dashboard-very-secret-0123456789"},
                         {"expires_at", "2030-01-01T00:00:00Z"}}},
                       {"connection_config", {{"cloudId", "cloud-1"}}}};
    auto created = client_.request("POST", "/connections", with_key(), connection.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }

  SignedIn sign_in(const std::string& credential) {
    auto reply = client_.request("POST", "/dashboard/api/session",
                                 {{"Content-Type", "application/json"}},
                                 json{{"credential", credential}}.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    const std::string set_cookie = reply.header("set-cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("Path=/"), std::string::npos) << set_cookie;
    return {set_cookie.substr(0, set_cookie.find(';')),
            json::parse(reply.body).value("csrf_token", "")};
  }

  std::string folder_ = dashboard_folder();
  RunningFerry ferry_{folder_};
  HttpClient client_ = ferry_.client();
};

// Every route the dashboard reads or changes, with a body where it takes one.
struct Route {
  const char* method;
  const char* target;
  const char* body;
};
const Route kDataRoutes[] = {
    {"GET", "/dashboard/api/session", ""},
    {"DELETE", "/dashboard/api/session", ""},
    {"GET", "/dashboard/api/integrations", ""},
    {"GET", "/dashboard/api/connections", ""},
    {"GET", "/dashboard/api/connections/jira/user-1", ""},
    {"POST", "/dashboard/api/connections/jira/user-1/refresh", ""},
    {"GET", "/connections", ""},
    {"GET", "/connections/user-1?provider_config_key=jira", ""},
    {"DELETE", "/connections/user-1?provider_config_key=jira", ""},
    {"POST", "/connections/metadata",
     R"({"connection_id":"user-1","provider_config_key":"jira","metadata":{"a":1}})"},
    {"GET", "/integrations", ""},
    {"GET", "/logs", ""},
    {"GET", "/logs/1", ""},
    {"GET", "/dashboard/api/overview", ""},
    {"POST", "/action/trigger", R"({"action_name":"x","input":{}})"},
    {"POST", "/connect/sessions", R"({"end_user":{"id":"u"}})"},
    {"GET", "/metrics", ""},
};

TEST_F(DashboardApi, NoDataRouteAnswersWithoutASession) {
  for (const Route& route : kDataRoutes) {
    for (const Headers& headers :
         {Headers{}, Headers{{"Cookie", "ferry_dashboard=v1.forged.99999999999.AAAA"}},
          Headers{{"Cookie", "other=1"}}}) {
      auto reply = client_.request(route.method, route.target, headers, route.body);
      EXPECT_EQ(reply.status, 401) << route.method << " " << route.target << ": " << reply.body;
      EXPECT_EQ(json::parse(reply.body)["error"]["code"], "unauthorized") << route.target;
    }
  }
  // The connection is still there: nothing ran.
  auto still = client_.get("/connections/user-1?provider_config_key=jira", with_key());
  EXPECT_EQ(still.status, 200) << still.body;
}

TEST_F(DashboardApi, AWrongCredentialIsRefusedAndTheKeyOrPasswordSignsIn) {
  auto wrong = client_.request("POST", "/dashboard/api/session",
                               {{"Content-Type", "application/json"}},
                               json{{"credential", "not-the-key"}}.dump());
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  auto malformed = client_.request("POST", "/dashboard/api/session",
                                   {{"Content-Type", "application/json"}}, "[1,2]");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  auto huge = client_.request("POST", "/dashboard/api/session",
                              {{"Content-Type", "application/json"}},
                              json{{"credential", std::string(8000, 'k')}}.dump());
  EXPECT_EQ(huge.status, 413) << huge.body;

  for (const char* credential : {kSecretKey, kPassword}) {
    SignedIn session = sign_in(credential);
    auto me = client_.get("/dashboard/api/session", {{"Cookie", session.cookie}});
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json::parse(me.body)["csrf_token"], session.csrf);
    EXPECT_EQ(me.header("cache-control"), "no-store");
    auto listed = client_.get("/dashboard/api/connections", {{"Cookie", session.cookie}});
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(json::parse(listed.body)["connections"][0]["connection_id"], "user-1");
  }
}

TEST_F(DashboardApi, StateChangesNeedTheCsrfTokenAndTheSameOrigin) {
  SignedIn session = sign_in(kSecretKey);
  const std::string body =
      R"({"connection_id":"user-1","provider_config_key":"jira","metadata":{"plan":"pro"}})";
  const std::string own_origin = "http://127.0.0.1:" + std::to_string(ferry_.port());
  const Headers refused[] = {
      // No CSRF token: a form post from anywhere.
      {{"Cookie", session.cookie}, {"Content-Type", "application/json"}},
      // A wrong one.
      {{"Cookie", session.cookie}, {"X-Ferry-CSRF", "forged"}},
      // The right token, but from another site.
      {{"Cookie", session.cookie}, {"X-Ferry-CSRF", session.csrf},
       {"Origin", "https://evil.example"}},
      {{"Cookie", session.cookie}, {"X-Ferry-CSRF", session.csrf}, {"Sec-Fetch-Site", "cross-site"}},
      {{"Cookie", session.cookie}, {"X-Ferry-CSRF", session.csrf}, {"Sec-Fetch-Site", "same-site"}},
  };
  for (const Headers& headers : refused) {
    auto reply = client_.request("POST", "/connections/metadata", headers, body);
    EXPECT_EQ(reply.status, 403) << reply.body;
    EXPECT_EQ(json::parse(reply.body)["error"]["code"], "forbidden");
  }
  auto page = client_.get("/dashboard/api/connections/jira/user-1", {{"Cookie", session.cookie}});
  EXPECT_EQ(json::parse(page.body)["metadata"], json::object()) << "a refused request wrote";

  auto accepted = client_.request("POST", "/connections/metadata",
                                  {{"Cookie", session.cookie},
                                   {"X-Ferry-CSRF", session.csrf},
                                   {"Origin", own_origin},
                                   {"Sec-Fetch-Site", "same-origin"},
                                   {"Content-Type", "application/json"}},
                                  body);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  page = client_.get("/dashboard/api/connections/jira/user-1", {{"Cookie", session.cookie}});
  EXPECT_EQ(json::parse(page.body)["metadata"]["plan"], "pro");

  // A cross-site sign-in is refused too.
  auto cross_site_sign_in = client_.request(
      "POST", "/dashboard/api/session",
      {{"Content-Type", "application/json"}, {"Origin", "https://evil.example"}},
      json{{"credential", kSecretKey}}.dump());
  EXPECT_EQ(cross_site_sign_in.status, 403) << cross_site_sign_in.body;
}

TEST_F(DashboardApi, TheSessionNeverReachesTheProxy) {
  SignedIn session = sign_in(kSecretKey);
  auto reply = client_.get("/proxy/rest/api/3/myself",
                           {{"Cookie", session.cookie},
                            {"Connection-Id", "user-1"},
                            {"Provider-Config-Key", "jira"}});
  EXPECT_EQ(reply.status, 401) << reply.body;
}

TEST_F(DashboardApi, SigningOutEndsTheSession) {
  SignedIn session = sign_in(kSecretKey);
  auto without_token = client_.request("DELETE", "/dashboard/api/session", {{"Cookie", session.cookie}});
  EXPECT_EQ(without_token.status, 403) << without_token.body;
  auto out = client_.request("DELETE", "/dashboard/api/session",
                             {{"Cookie", session.cookie}, {"X-Ferry-CSRF", session.csrf}});
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto after = client_.get("/dashboard/api/connections", {{"Cookie", session.cookie}});
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_NE(after.body.find("signed out"), std::string::npos) << after.body;
}

TEST_F(DashboardApi, TheConnectionPageMasksCredentialsAndShowsHealth) {
  SignedIn session = sign_in(kPassword);
  auto page = client_.get("/dashboard/api/connections/jira/user-1", {{"Cookie", session.cookie}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find(kAccessToken), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("rt-dashboard-very-secret"), std::string::npos) << page.body;
  json shown = json::parse(page.body);
  EXPECT_EQ(shown["credentials"]["type"], "OAUTH2");
  EXPECT_EQ(shown["credentials"]["expires_at"], "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(shown["connection_config"]["cloudId"], "cloud-1");
  EXPECT_EQ(shown["health"], "never_used");

  // A backend reads the connection: it is in use.
  ASSERT_EQ(client_.get("/connections/user-1?provider_config_key=jira", with_key()).status, 200);
  page = client_.get("/dashboard/api/connections/jira/user-1", {{"Cookie", session.cookie}});
  EXPECT_EQ(json::parse(page.body)["health"], "ok") << page.body;

  auto missing = client_.get("/dashboard/api/connections/jira/nobody", {{"Cookie", session.cookie}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  auto searched = client_.get("/dashboard/api/connections?search=USER", {{"Cookie", session.cookie}});
  EXPECT_EQ(json::parse(searched.body)["connections"].size(), 1u) << searched.body;
  auto none = client_.get("/dashboard/api/connections?search=%25", {{"Cookie", session.cookie}});
  EXPECT_EQ(json::parse(none.body)["connections"].size(), 0u) << none.body;
}

TEST_F(DashboardApi, IntegrationsShowTheCallbackAndMaskTheClientSecret) {
  SignedIn session = sign_in(kSecretKey);
  auto reply = client_.get("/dashboard/api/integrations", {{"Cookie", session.cookie}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.find("dashboard-client-secret-0123456789"), std::string::npos);
  json shown = json::parse(reply.body);
  EXPECT_NE(shown["callback_url"].get<std::string>().find("/oauth/callback"), std::string::npos);
  const json& jira = shown["integrations"][0];
  EXPECT_EQ(jira["unique_key"], "jira");
  EXPECT_EQ(jira["blueprint"], "jira:v0");
  EXPECT_EQ(jira["auth_mode"], "OAUTH2");
  EXPECT_EQ(jira["client_id"], "dashboard-client");
  EXPECT_NE(jira["source"].get<std::string>().find("integrations.yaml:"), std::string::npos);
  EXPECT_TRUE(jira["config"]["retry"].is_object()) << jira.dump();
  // No encryption key in this folder: the page says so, naming the file.
  bool warned = false;
  for (const auto& w : shown["warnings"]) {
    warned = warned || w["message"].get<std::string>().find("encryption_key") != std::string::npos;
  }
  EXPECT_TRUE(warned) << shown["warnings"].dump();
}

TEST_F(DashboardApi, TheBinaryServesThePageAndItsAssetsUnderAStrictPolicy) {
  // The start banner says where the dashboard is and what signs in.
  EXPECT_NE(ferry_.process().output().find(
                "Dashboard: http://localhost:3003/ (sign in with the secret key or the admin "
                "password)"),
            std::string::npos)
      << ferry_.process().output();
  auto page = client_.get("/", {{"Accept", "text/html"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  const std::string policy = page.header("content-security-policy");
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  for (const char* asset : {"/dashboard/assets/dashboard.js", "/dashboard/assets/dashboard.css"}) {
    EXPECT_NE(page.body.find(asset), std::string::npos) << asset;
    auto reply = client_.get(asset);
    EXPECT_EQ(reply.status, 200) << asset;
    EXPECT_GT(reply.body.size(), 1000u) << asset;
  }
  // The page holds no data: nothing of the configuration is in it.
  EXPECT_EQ(page.body.find("dashboard-client"), std::string::npos);
  EXPECT_EQ(client_.get("/dashboard/assets/../ferry.yaml").status, 404);
  EXPECT_EQ(client_.get("/dashboard/assets/secrets.txt").status, 404);
}

// "Refresh now" renews the tokens at the provider (fake-atlassian here), and the list and the
// connection's page both say when.
TEST(DashboardRefresh, RefreshNowRenewsTheTokensAndTheListShowsWhen) {
  Fake fake;
  const std::string dir = make_temp_dir("ferry-dashboard-refresh");
  write_file(dir + "/ferry.yaml", std::string("secret_key: ") + kSecretKey + "\n");
  write_file(dir + "/integrations.yaml",
             "integrations:\n" + fake_jira_integration("jira", fake.base_url()));
  RunningFerry ferry(dir);
  const json tokens = fake.issue_tokens();
  import_connection(ferry, kSecretKey, with_issued_tokens(tokens));
  HttpClient client = ferry.client();

  auto listed = client.get("/dashboard/api/connections", with_key());
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(json::parse(listed.body)["connections"][0]["last_refresh_at"].is_null())
      << listed.body;

  auto refreshed = client.request("POST", "/dashboard/api/connections/jira/user-1/refresh",
                                  with_key(), "");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const json page = json::parse(refreshed.body);
  ASSERT_TRUE(page["last_refresh_at"].is_string()) << refreshed.body;
  EXPECT_EQ(refreshed.body.find(tokens["access_token"].get<std::string>()), std::string::npos);

  listed = client.get("/dashboard/api/connections?integration=jira", with_key());
  const json row = json::parse(listed.body)["connections"][0];
  EXPECT_EQ(row["last_refresh_at"], page["last_refresh_at"]) << listed.body;
}

}  // namespace
}  // namespace ferry::testing
