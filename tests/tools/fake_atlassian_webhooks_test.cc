// fake-atlassian: Jira's dynamic webhooks for OAuth 2.0 apps (register, list, refresh,
// delete), their 30-day expiry on the fake clock, and the store's per-app rules.
#include <chrono>
#include <cstdint>
#include <vector>

#include "fake_atlassian_fixture.h"
#include "ferry/core/clock.h"
#include "webhooks.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kReceiver = "https://receiver.example/jira-events";
constexpr long long kDay = 86400;

json entry(const std::string& jql, const json& events) {
  return {{"jqlFilter", jql}, {"events", events}};
}

class FakeWebhooksTest : public FakeAtlassianTest {
 protected:
  // Access tokens outlive the month-long clock jumps of these tests.
  void SetUp() override {
    Options options;
    options.config.access_token_lifetime = hours(24 * 400);
    start(options);
  }

  testing::HttpReply register_webhooks(const std::string& token, const json& entries,
                                       const std::string& url = kReceiver,
                                       const std::string& cloud = kSiteA) {
    return post_json(webhook(cloud), {{"url", url}, {"webhooks", entries}}, token);
  }
  // The registration results of a call that must succeed.
  json registered(const std::string& token, const json& entries, const std::string& url = kReceiver,
                  const std::string& cloud = kSiteA) {
    auto reply = register_webhooks(token, entries, url, cloud);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body)["webhookRegistrationResult"];
  }
  json list(const std::string& token, const std::string& cloud = kSiteA,
            const std::string& query = "") {
    auto reply = get(webhook(cloud, query), token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body);
  }
  std::vector<std::int64_t> live_ids(const std::string& token, const std::string& cloud = kSiteA) {
    std::vector<std::int64_t> ids;
    const json page = list(token, cloud);
    for (const auto& value : page["values"]) ids.push_back(value["id"]);
    return ids;
  }
  testing::HttpReply refresh_ids(const std::string& token, const json& ids) {
    return send_json("PUT", webhook(kSiteA, "/refresh"), {{"webhookIds", ids}}, token);
  }
  TimePoint fake_now() {
    auto now = parse_iso8601(admin("GET", "clock")["now"].get<std::string>());
    EXPECT_TRUE(now);
    return now ? *now : TimePoint{};
  }
  void advance_days(long long days) { admin("POST", "clock", {{"advance_seconds", days * kDay}}); }

  // Asserts that the Jira-formatted `text` lies within a few seconds of `expected`.
  static void expect_near(const std::string& text, TimePoint expected) {
    EXPECT_EQ(text.size(), std::string("2019-06-01T12:42:30.000+0000").size()) << text;
    EXPECT_EQ(text.substr(text.size() - 5), "+0000") << text;
    auto parsed = parse_iso8601(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_LT(std::chrono::abs(*parsed - expected), seconds(5)) << text;
  }
};

TEST_F(FakeWebhooksTest, RegisteredWebhooksAreListedWithIdsFrom10000AndA30DayExpiry) {
  const std::string token = connect().access;
  auto results = registered(
      token, json::array({entry("project = PROJ", {"jira:issue_created", "jira:issue_updated"}),
                          {{"jqlFilter", "key = PROJ-7"},
                           {"events", {"comment_created"}},
                           {"fieldIdsFilter", {"summary", "customfield_10029"}},
                           {"issuePropertyKeysFilter", {"my-property"}}}}));
  EXPECT_EQ(results, json::parse(R"([{"createdWebhookId":10000},{"createdWebhookId":10001}])"));
  const TimePoint registered_at = fake_now();

  auto page = list(token);
  EXPECT_EQ(page["startAt"], 0);
  EXPECT_EQ(page["maxResults"], 100);
  EXPECT_EQ(page["total"], 2);
  EXPECT_TRUE(page["isLast"].get<bool>());
  ASSERT_EQ(page["values"].size(), 2u);
  const json& first = page["values"][0];
  EXPECT_EQ(first["id"], 10000);
  EXPECT_EQ(first["jqlFilter"], "project = PROJ");
  EXPECT_EQ(first["events"], json({"jira:issue_created", "jira:issue_updated"}));
  EXPECT_EQ(first["url"], kReceiver);
  EXPECT_FALSE(first.contains("fieldIdsFilter"));
  EXPECT_FALSE(first.contains("issuePropertyKeysFilter"));
  expect_near(first["expirationDate"], registered_at + hours(30 * 24));
  const json& second = page["values"][1];
  EXPECT_EQ(second["id"], 10001);
  EXPECT_EQ(second["fieldIdsFilter"], json({"summary", "customfield_10029"}));
  EXPECT_EQ(second["issuePropertyKeysFilter"], json({"my-property"}));

  // Paging, and the v2 path serves the same webhooks.
  auto paged = list(token, kSiteA, "?startAt=1&maxResults=1");
  EXPECT_EQ(paged["startAt"], 1);
  EXPECT_EQ(paged["total"], 2);
  ASSERT_EQ(paged["values"].size(), 1u);
  EXPECT_EQ(paged["values"][0]["id"], 10001);
  EXPECT_FALSE(list(token, kSiteA, "?maxResults=1")["isLast"].get<bool>());
  auto v2 = get(webhook(kSiteA, "", "2"), token);
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_EQ(json::parse(v2.body)["total"], 2);
  EXPECT_EQ(get(webhook(kSiteA, "?maxResults=-1"), token).status, 400);
}

TEST_F(FakeWebhooksTest, ABadEntryGetsErrorsWhileTheOthersRegister) {
  const std::string token = connect().access;
  auto results = registered(
      token, json::array({entry("project = PROJ", {"jira:issue_created"}),
                          {{"events", {"jira:issue_created"}}},  // no jqlFilter
                          entry("", {"jira:issue_created"}),
                          entry("project = PROJ", json::array()),
                          entry("project = PROJ", {"jira:issue_created", "sprint_started"}),
                          {{"jqlFilter", "project = PROJ"}},  // no events
                          "not an object",
                          entry("project = PROJ", {"issue_property_set"})}));
  ASSERT_EQ(results.size(), 8u);
  EXPECT_EQ(results[0], json({{"createdWebhookId", 10000}}));
  for (std::size_t i = 1; i <= 6; ++i) {
    ASSERT_TRUE(results[i].contains("errors")) << i << ": " << results[i].dump();
    EXPECT_FALSE(results[i].contains("createdWebhookId")) << i;
    ASSERT_EQ(results[i]["errors"].size(), 1u) << i;
    EXPECT_FALSE(results[i]["errors"][0].get<std::string>().empty()) << i;
  }
  EXPECT_NE(results[4]["errors"][0].get<std::string>().find("sprint_started"), std::string::npos);
  EXPECT_EQ(results[7], json({{"createdWebhookId", 10001}}));
  EXPECT_EQ(live_ids(token), (std::vector<std::int64_t>{10000, 10001}));
}

TEST_F(FakeWebhooksTest, MalformedRegistrationsAreAJiraErrorCollection) {
  const std::string token = connect().access;
  const json good = json::array({entry("project = PROJ", {"jira:issue_created"})});
  const std::vector<std::string> bodies = {
      "not json",
      "[]",
      json({{"webhooks", good}}).dump(),
      json({{"url", 42}, {"webhooks", good}}).dump(),
      json({{"url", "ftp://receiver.example/x"}, {"webhooks", good}}).dump(),
      json({{"url", "/relative/path"}, {"webhooks", good}}).dump(),
      json({{"url", kReceiver}}).dump(),
      json({{"url", kReceiver}, {"webhooks", json::array()}}).dump(),
      json({{"url", kReceiver}, {"webhooks", good[0]}}).dump(),
  };
  for (const auto& body : bodies) {
    auto reply =
        request("POST", webhook(kSiteA),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}, body);
    EXPECT_EQ(reply.status, 400) << body;
    auto parsed = json::parse(reply.body);
    EXPECT_EQ(parsed["errors"], json::object()) << body;
    ASSERT_EQ(parsed["errorMessages"].size(), 1u) << body;
  }
  EXPECT_TRUE(live_ids(token).empty());
  // An http URL is as good as an https one.
  EXPECT_EQ(registered(token, good, "http://127.0.0.1:9/hook")[0]["createdWebhookId"], 10000);
}

TEST_F(FakeWebhooksTest, AnAppRegistersOneUrlPerSite) {
  admin("POST", "config", {{"sites", 2}});
  const std::string token = connect().access;
  const json hooks = json::array({entry("project = PROJ", {"jira:issue_created"})});
  registered(token, hooks);
  registered(token, hooks);  // the same URL again is fine
  auto second = register_webhooks(token, hooks, "https://other.example/hook");
  ASSERT_EQ(second.status, 400);
  EXPECT_EQ(json::parse(second.body)["errorMessages"][0],
            "Only a single URL per app is allowed to be registered.");
  // Another site is another set of webhooks.
  EXPECT_EQ(registered(token, hooks, "https://other.example/hook", kSiteB).size(), 1u);
  // Once the app's webhooks at the first URL are gone (deleted or expired), another URL is fine.
  ASSERT_EQ(send_json("DELETE", webhook(kSiteA), {{"webhookIds", {10000}}}, token).status, 202);
  advance_days(31);
  EXPECT_EQ(register_webhooks(token, hooks, "https://other.example/hook").status, 200);
}

TEST_F(FakeWebhooksTest, AnAppHoldsAtMost100LiveWebhooksPerSite) {
  const std::string token = connect().access;
  json hooks = json::array();
  for (int i = 0; i < 101; ++i) {
    hooks.push_back(entry("key = PROJ-" + std::to_string(i + 1), {"jira:issue_created"}));
  }
  auto results = registered(token, hooks);
  ASSERT_EQ(results.size(), 101u);
  EXPECT_EQ(results[99]["createdWebhookId"], 10099);
  ASSERT_TRUE(results[100].contains("errors")) << results[100].dump();
  EXPECT_EQ(list(token)["total"], 100);
  EXPECT_EQ(list(token)["values"].size(), 100u);
  // Expired webhooks no longer count.
  advance_days(31);
  EXPECT_EQ(registered(token, json::array({hooks[0]}))[0]["createdWebhookId"], 10100);
}

TEST_F(FakeWebhooksTest, RefreshMovesTheExpiryThirtyDaysFromNow) {
  const std::string token = connect().access;
  registered(token, json::array({entry("project = PROJ", {"jira:issue_created"})}));
  advance_days(10);
  const TimePoint now = fake_now();
  auto reply = refresh_ids(token, {10000, 99999});  // unknown ids are ignored
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json body = json::parse(reply.body);
  ASSERT_TRUE(body["expirationDate"].is_number_integer()) << reply.body;
  const TimePoint expires{milliseconds(body["expirationDate"].get<std::int64_t>())};
  EXPECT_LT(std::chrono::abs(expires - (now + hours(30 * 24))), seconds(5));
  expect_near(list(token)["values"][0]["expirationDate"], now + hours(30 * 24));
}

TEST_F(FakeWebhooksTest, AWebhookNotRefreshedExpiresAfterThirtyDays) {
  const std::string token = connect().access;
  registered(token, json::array({entry("project = PROJ", {"jira:issue_created"})}));
  advance_days(29);
  EXPECT_EQ(live_ids(token), std::vector<std::int64_t>{10000});
  advance_days(2);
  EXPECT_TRUE(live_ids(token).empty());
  EXPECT_EQ(list(token)["total"], 0);
  // Too late to refresh: the call answers, the webhook stays dead.
  EXPECT_EQ(refresh_ids(token, {10000}).status, 200);
  EXPECT_TRUE(live_ids(token).empty());
  auto all = admin("GET", "webhooks")["webhooks"];
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0]["expired"].get<bool>());
}

TEST_F(FakeWebhooksTest, AWebhookRefreshedOnDay29SurvivesDay31) {
  const std::string token = connect().access;
  registered(token, json::array({entry("project = PROJ", {"jira:issue_created"}),
                                 entry("project = PROJ", {"jira:issue_deleted"})}));
  advance_days(29);
  ASSERT_EQ(refresh_ids(token, {10000}).status, 200);
  advance_days(2);
  EXPECT_EQ(live_ids(token), std::vector<std::int64_t>{10000});  // 10001 was not refreshed
  advance_days(27);  // day 58: 29 days after the refresh
  EXPECT_EQ(live_ids(token), std::vector<std::int64_t>{10000});
  advance_days(2);
  EXPECT_TRUE(live_ids(token).empty());
}

TEST_F(FakeWebhooksTest, DeleteAnswers202AndRemovesOnlyTheNamedWebhooks) {
  const std::string token = connect().access;
  registered(token, json::array({entry("project = PROJ", {"jira:issue_created"}),
                                 entry("project = PROJ", {"jira:issue_updated"}),
                                 entry("project = PROJ", {"jira:issue_deleted"})}));
  auto deleted =
      send_json("DELETE", webhook(kSiteA), {{"webhookIds", {10000, 10002, 4242}}}, token);
  EXPECT_EQ(deleted.status, 202);
  EXPECT_TRUE(deleted.body.empty()) << deleted.body;
  EXPECT_EQ(live_ids(token), std::vector<std::int64_t>{10001});
  EXPECT_EQ(admin("GET", "webhooks")["webhooks"].size(), 1u);
}

TEST_F(FakeWebhooksTest, RefreshAndDeleteNeedAListOfIds) {
  const std::string token = connect().access;
  registered(token, json::array({entry("project = PROJ", {"jira:issue_created"})}));
  const std::vector<json> bodies = {
      json::object(), {{"webhookIds", 10000}}, {{"webhookIds", {"10000"}}}, {{"ids", {10000}}}};
  for (const auto& body : bodies) {
    for (const char* method : {"PUT", "DELETE"}) {
      const std::string target = webhook(kSiteA, std::string(method) == "PUT" ? "/refresh" : "");
      auto reply = send_json(method, target, body, token);
      EXPECT_EQ(reply.status, 400) << method << " " << body.dump();
      EXPECT_EQ(json::parse(reply.body)["errorMessages"].size(), 1u) << method;
    }
  }
  auto not_json = request("DELETE", webhook(kSiteA), {{"Authorization", "Bearer " + token}}, "{");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(live_ids(token), std::vector<std::int64_t>{10000});
}

TEST_F(FakeWebhooksTest, WebhookCallsNeedTheManageScopeWhenScopesAreChecked) {
  admin("POST", "config", {{"check_scopes", true}});
  const std::string without = connect("read:jira-work offline_access").access;
  const json hooks = json::array({entry("project = PROJ", {"jira:issue_created"})});
  const std::vector<testing::HttpReply> refused = {
      register_webhooks(without, hooks), get(webhook(kSiteA), without),
      refresh_ids(without, {10000}),
      send_json("DELETE", webhook(kSiteA), {{"webhookIds", {10000}}}, without)};
  for (const auto& reply : refused) {
    EXPECT_EQ(reply.status, 401) << reply.body;
    EXPECT_EQ(json::parse(reply.body)["message"], "Unauthorized; scope does not match");
  }
  EXPECT_TRUE(admin("GET", "webhooks")["webhooks"].empty());

  const std::string with = connect("read:jira-work manage:jira-webhook").access;
  EXPECT_EQ(register_webhooks(with, hooks).status, 200);
  EXPECT_EQ(list(with)["total"], 1);
  EXPECT_EQ(refresh_ids(with, {10000}).status, 200);
  EXPECT_EQ(send_json("DELETE", webhook(kSiteA), {{"webhookIds", {10000}}}, with).status, 202);
}

TEST_F(FakeWebhooksTest, WebhookCallsGoThroughTheGatewayTokenAndSiteChecks) {
  admin("POST", "config", {{"access_token_seconds", 3600}});
  const std::string token = connect().access;  // one site: acme
  const json hooks = json::array({entry("project = PROJ", {"jira:issue_created"})});
  EXPECT_EQ(register_webhooks("", hooks).status, 401);
  EXPECT_EQ(register_webhooks("not-a-token", hooks).status, 401);
  EXPECT_EQ(get(webhook(kSiteA)).status, 401);
  EXPECT_EQ(register_webhooks(token, hooks, kReceiver, kSiteB).status, 404);
  EXPECT_EQ(get(webhook(kSiteC), token).status, 404);
  EXPECT_EQ(get(webhook("no-such-cloud"), token).status, 404);
  advance_days(1);  // the access token has expired
  EXPECT_EQ(get(webhook(kSiteA), token).status, 401);
  EXPECT_TRUE(admin("GET", "webhooks")["webhooks"].empty());
}

TEST_F(FakeWebhooksTest, AdminListsEveryWebhookAndResetForgetsThem) {
  admin("POST", "config", {{"sites", 3}});
  const std::string token = connect().access;
  const json hooks = json::array({entry("project = PROJ", {"jira:issue_created"})});
  registered(token, hooks, kReceiver, kSiteA);
  registered(token, hooks, kReceiver, kSiteC);
  auto all = admin("GET", "webhooks")["webhooks"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["cloud_id"], kSiteA);
  EXPECT_EQ(all[1]["cloud_id"], kSiteC);
  EXPECT_EQ(all[1]["id"], 10001);
  EXPECT_EQ(all[1]["client_id"], "fake-client-id");
  EXPECT_EQ(all[1]["url"], kReceiver);
  EXPECT_FALSE(all[1]["expired"].get<bool>());
  EXPECT_EQ(live_ids(token, kSiteC), std::vector<std::int64_t>{10001});

  admin("POST", "reset");
  EXPECT_TRUE(admin("GET", "webhooks")["webhooks"].empty());
  admin("POST", "config", {{"sites", 3}});
  EXPECT_EQ(registered(connect().access, hooks)[0]["createdWebhookId"], 10000);
}

// The store itself: what one app does never touches another app's webhooks.
TEST(FakeWebhookStore, AppsOnlyReachTheirOwnWebhooksOnOneSite) {
  WebhookStore store;
  const TimePoint now{seconds(1767225600)};
  const WebhookSpec spec{"project = PROJ", {"jira:issue_created"}, std::nullopt, std::nullopt};
  auto mine = store.add("app-a", "site-1", "https://a.example/h", spec, now);
  auto theirs = store.add("app-b", "site-1", "https://b.example/h", spec, now);
  auto elsewhere = store.add("app-a", "site-2", "https://a.example/h", spec, now);
  ASSERT_TRUE(mine && theirs && elsewhere);
  EXPECT_EQ(*mine, 10000);
  EXPECT_EQ(*theirs, 10001);
  EXPECT_FALSE(store.url_conflicts("app-a", "site-1", "https://a.example/h", now));
  EXPECT_TRUE(store.url_conflicts("app-a", "site-1", "https://b.example/h", now));
  EXPECT_FALSE(store.url_conflicts("app-c", "site-1", "https://c.example/h", now));

  const TimePoint later = now + hours(24);
  const TimePoint expires = store.refresh("app-a", "site-1", {*theirs, *elsewhere, *mine}, later);
  EXPECT_EQ(expires, later + kWebhookLifetime);
  EXPECT_EQ(store.all().at(*mine).expires, expires);
  EXPECT_EQ(store.all().at(*theirs).expires, now + kWebhookLifetime);
  EXPECT_EQ(store.all().at(*elsewhere).expires, now + kWebhookLifetime);

  EXPECT_EQ(store.remove("app-a", "site-1", {*theirs, *elsewhere}), 0u);
  EXPECT_EQ(store.all().size(), 3u);
  EXPECT_EQ(store.remove("app-b", "site-1", {*theirs}), 1u);
  ASSERT_EQ(store.live("app-a", "site-1", now).size(), 1u);
  EXPECT_EQ(store.live("app-a", "site-1", now)[0]->id, *mine);
  EXPECT_TRUE(store.live("app-b", "site-1", now).empty());
}

TEST(FakeWebhookStore, DeliveryTargetsGroupMatchingLiveWebhooksByUrlAndApp) {
  WebhookStore store;
  const TimePoint now{seconds(1767225600)};
  Issue issue;
  issue.id = "10007";
  issue.key = "PROJ-7";
  issue.project_key = "PROJ";
  issue.summary = "Seed issue 7";
  issue.status = "To Do";
  auto add = [&](const std::string& app, const std::string& url, const std::string& jql,
                 std::vector<std::string> events) {
    auto id = store.add(app, "site-1", url, WebhookSpec{jql, std::move(events), {}, {}}, now);
    EXPECT_TRUE(id);
    return id ? *id : 0;
  };
  const auto all = add("app-a", "https://a/h", "project = PROJ", {"jira:issue_created"});
  const auto key = add("app-a", "https://a/h", "key = PROJ-7", {"jira:issue_created"});
  add("app-a", "https://a/h", "key = PROJ-8", {"jira:issue_created"});    // other issue
  add("app-a", "https://a/h", "project = PROJ", {"jira:issue_deleted"});  // other event
  const auto odd = add("app-b", "https://b/h", "not jql at all", {"jira:issue_created"});
  add("app-c", "https://c/h", "status = Done", {"jira:issue_created"});  // other status
  EXPECT_TRUE(store.add("app-a", "site-2", "https://a/h",
                        WebhookSpec{"project = PROJ", {"jira:issue_created"}, {}, {}}, now));

  auto targets = store.targets("site-1", "jira:issue_created", issue, now);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].url, "https://a/h");
  EXPECT_EQ(targets[0].client_id, "app-a");
  EXPECT_EQ(targets[0].webhook_ids, (std::vector<std::int64_t>{all, key}));
  EXPECT_EQ(targets[1].client_id, "app-b");  // a filter the fake cannot read matches
  EXPECT_EQ(targets[1].webhook_ids, std::vector<std::int64_t>{odd});
  EXPECT_TRUE(store.targets("site-1", "jira:issue_created", issue, now + kWebhookLifetime).empty());
}

TEST(FakeWebhookStore, RegistrationEntriesAreValidated) {
  struct Case {
    const char* entry;
    bool ok;
  };
  const Case cases[] = {
      {R"({"jqlFilter":"project = PROJ","events":["jira:issue_created"]})", true},
      {R"({"jqlFilter":"project = PROJ","events":["comment_created","comment_updated",
          "comment_deleted","issue_property_set","issue_property_deleted",
          "jira:issue_updated","jira:issue_deleted"]})",
       true},
      {R"({"jqlFilter":"x = 1","events":["jira:issue_created"],"fieldIdsFilter":["summary"],
          "issuePropertyKeysFilter":[]})",
       true},
      {R"({"events":["jira:issue_created"]})", false},
      {R"({"jqlFilter":"","events":["jira:issue_created"]})", false},
      {R"({"jqlFilter":7,"events":["jira:issue_created"]})", false},
      {R"({"jqlFilter":"project = PROJ"})", false},
      {R"({"jqlFilter":"project = PROJ","events":[]})", false},
      {R"({"jqlFilter":"project = PROJ","events":"jira:issue_created"})", false},
      {R"({"jqlFilter":"project = PROJ","events":["jira:issue_created",3]})", false},
      {R"({"jqlFilter":"project = PROJ","events":["worklog_created"]})", false},
      {R"({"jqlFilter":"p = 1","events":["jira:issue_created"],"fieldIdsFilter":"summary"})",
       false},
      {R"({"jqlFilter":"p = 1","events":["jira:issue_created"],"issuePropertyKeysFilter":[1]})",
       false},
      {R"(["jqlFilter"])", false},
  };
  for (const auto& c : cases) {
    auto parsed = parse_webhook_spec(json::parse(c.entry));
    EXPECT_EQ(std::holds_alternative<WebhookSpec>(parsed), c.ok) << c.entry;
    if (auto* problem = std::get_if<std::string>(&parsed)) {
      EXPECT_FALSE(problem->empty()) << c.entry;
    }
  }
}

}  // namespace
}  // namespace ferry::fake_atlassian
