// Jira webhooks of a connection, against a scripted Jira (the ActionHttp the server would
// route through the proxy) and a real store: registration keeps what Jira accepted, the
// keeper refreshes only what is due and records failures, deletion removes only the
// connection's own webhooks.
#include "ferry/atlassian/jira_webhook_registrar.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>

#include "ferry/atlassian/jira_webhook_keeper.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/store/open_store.h"
#include "ferry/store/store.h"

namespace ferry::atlassian {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kDeliveryUrl = "https://ferry.example.com/webhooks/incoming/jira";

// Answers each call with `answer`, and keeps the requests.
class ScriptedJira : public actions::ActionHttp {
 public:
  std::function<actions::ActionResponse(const actions::ActionRequest&)> answer;
  std::vector<actions::ActionRequest> seen;
  std::vector<store::ConnectionKey> keys;

  net::awaitable<Result<actions::ActionResponse>> send(const store::ConnectionKey& key,
                                                       actions::ActionRequest request) override {
    keys.push_back(key);
    seen.push_back(request);
    co_return answer(request);
  }
};

actions::ActionResponse respond(int status, const json& body = nullptr) {
  actions::ActionResponse response;
  response.status = status;
  if (!body.is_null()) response.body = body.dump();
  return response;
}

class JiraWebhookRegistrarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    config::Integration jira;
    jira.key = "jira";
    jira.provider = "jira";
    jira.post_connection = {"atlassian_accessible_resources"};
    project_->integrations["jira"] = jira;
    project_->server.server_root_url = "https://ferry.example.com/";
    add("u1");
    add("u2");
  }

  void add(const std::string& id) {
    store::Connection c;
    c.provider_config_key = "jira";
    c.connection_id = id;
    c.provider = "jira";
    c.credentials.type = store::CredentialType::oauth2;
    c.credentials.access_token = "at-" + id;
    c.connection_config = {{"cloudId", "cloud-" + id}, {"baseUrl", "https://acme.atlassian.net"}};
    ASSERT_TRUE(store_->create_connection(c));
  }

  template <class T>
  T run(net::awaitable<T> work) {
    std::optional<T> out;
    auto keep = [&out](net::awaitable<T> inner) -> net::awaitable<void> {
      out.emplace(co_await std::move(inner));
    };
    net::co_spawn(ioc_, keep(std::move(work)), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    ioc_.restart();
    ioc_.run();
    return std::move(*out);
  }

  RegistrarDependencies deps() { return {*store_, *blocking_, *clock_, kDeliveryUrl}; }

  JiraSender sender(const std::string& connection_id) {
    store::ConnectionKey key{"jira", connection_id};
    return [this, key](actions::ActionRequest request)
               -> net::awaitable<Result<actions::ActionResponse>> {
      co_return co_await jira_->send(key, std::move(request));
    };
  }

  std::vector<JiraWebhook> stored(const std::string& id) {
    auto connection = store_->find_connection({"jira", id});
    EXPECT_TRUE(connection) << connection.error().message;
    return connection ? jira_webhooks(connection->connection_config) : std::vector<JiraWebhook>{};
  }

  void register_one(const std::string& id, std::int64_t webhook_id) {
    jira_->answer = [webhook_id](const actions::ActionRequest&) {
      return respond(200, {{"webhookRegistrationResult", {{{"createdWebhookId", webhook_id}}}}});
    };
    auto specs = parse_jira_webhook_specs({{"events", {"jira:issue_created"}}, {"jqlFilter", "project = PROJ"}});
    ASSERT_TRUE(specs);
    auto registered = run(register_jira_webhooks(deps(), {"jira", id}, sender(id), *specs));
    ASSERT_TRUE(registered) << registered.error().message;
  }

  net::io_context ioc_;
  std::shared_ptr<BlockingPool> blocking_ = std::make_shared<BlockingPool>(1);
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<config::Project> project_ = std::make_shared<config::Project>();
  std::shared_ptr<ScriptedJira> jira_ = std::make_shared<ScriptedJira>();
};

TEST_F(JiraWebhookRegistrarTest, RegistrationKeepsWhatJiraAcceptedAndShowsWhatItRefused) {
  jira_->answer = [](const actions::ActionRequest&) {
    return respond(200, {{"webhookRegistrationResult",
                          {{{"createdWebhookId", 10000}}, {{"errors", {"The JQL is invalid."}}}}}});
  };
  auto specs = parse_jira_webhook_specs(
      {{"webhooks",
        {{{"events", {"jira:issue_created"}}, {"jqlFilter", "project = PROJ"}},
         {{"events", {"comment_created"}}, {"jqlFilter", "project in"}}}}});
  ASSERT_TRUE(specs);
  auto registered = run(register_jira_webhooks(deps(), {"jira", "u1"}, sender("u1"), *specs));
  ASSERT_TRUE(registered) << registered.error().message;
  const json& shown = (*registered)["webhooks"];
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0]["id"], 10000);
  EXPECT_EQ(shown[1]["errors"][0], "The JQL is invalid.");

  ASSERT_EQ(jira_->seen.size(), 1u);
  const actions::ActionRequest& sent = jira_->seen[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.endpoint, "/ex/jira/${connectionConfig.cloudId}/rest/api/3/webhook");
  const json body = json::parse(sent.body);
  EXPECT_EQ(body["url"], kDeliveryUrl);
  EXPECT_EQ(body["webhooks"][1]["jqlFilter"], "project in");

  auto kept = stored("u1");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].id, 10000);
  EXPECT_EQ(kept[0].expires_at, clock_->now() + kJiraWebhookLifetime);
  EXPECT_TRUE(stored("u2").empty());
}

TEST_F(JiraWebhookRegistrarTest, ARefusalOrAMalformedAnswerStoresNothingAndSaysWhy) {
  jira_->answer = [](const actions::ActionRequest&) {
    return respond(400, {{"errorMessages", {"Only a single URL per app is allowed to be registered."}}});
  };
  auto specs = parse_jira_webhook_specs({{"events", {"jira:issue_created"}}, {"jqlFilter", "project = PROJ"}});
  auto refused = run(register_jira_webhooks(deps(), {"jira", "u1"}, sender("u1"), *specs));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::upstream_unreachable);
  EXPECT_NE(refused.error().message.find("single URL"), std::string::npos);

  jira_->answer = [](const actions::ActionRequest&) { return respond(200, {{"unexpected", true}}); };
  auto malformed = run(register_jira_webhooks(deps(), {"jira", "u1"}, sender("u1"), *specs));
  ASSERT_FALSE(malformed);
  EXPECT_TRUE(stored("u1").empty());
}

TEST_F(JiraWebhookRegistrarTest, TheKeeperRefreshesOnlyWhatIsDueAndKeepsFailures) {
  register_one("u1", 10000);
  clock_->advance(std::chrono::hours(24 * 5));
  register_one("u2", 10001);
  JiraWebhookKeeper keeper(project_, store_, jira_, blocking_, clock_, ioc_.get_executor());
  jira_->seen.clear();
  jira_->keys.clear();

  // Day 5: nothing is due.
  KeeperReport report = run(keeper.sweep());
  EXPECT_EQ(report.connections_refreshed, 0u);
  EXPECT_TRUE(jira_->seen.empty());

  // Day 11: u1's webhook (registered at day 0) is due, u2's (day 5) is not. Jira refuses.
  clock_->advance(std::chrono::hours(24 * 6));
  jira_->answer = [](const actions::ActionRequest&) { return respond(503, json::object()); };
  report = run(keeper.sweep());
  EXPECT_EQ(report.connections_failed, 1u);
  ASSERT_EQ(jira_->keys.size(), 1u);
  EXPECT_EQ(jira_->keys[0].connection_id, "u1");
  EXPECT_EQ(jira_->seen[0].method, "PUT");
  EXPECT_EQ(jira_->seen[0].endpoint, "/ex/jira/${connectionConfig.cloudId}/rest/api/3/webhook/refresh");
  EXPECT_EQ(json::parse(jira_->seen[0].body), (json{{"webhookIds", {10000}}}));
  EXPECT_NE(stored("u1")[0].last_error.find("503"), std::string::npos);

  // The next sweep tries again; Jira's new expiry is stored and the failure cleared.
  const TimePoint jira_expiry = clock_->now() + kJiraWebhookLifetime + 1h;
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(jira_expiry.time_since_epoch()).count();
  jira_->answer = [millis](const actions::ActionRequest&) {
    return respond(200, {{"expirationDate", millis}});
  };
  report = run(keeper.sweep());
  EXPECT_EQ(report.connections_refreshed, 1u);
  auto kept = stored("u1");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].expires_at, TimePoint{} + std::chrono::milliseconds(millis));
  EXPECT_EQ(kept[0].refreshed_at, clock_->now());
  EXPECT_EQ(kept[0].last_error, "");
  EXPECT_FALSE(needs_refresh(kept[0], clock_->now()));
}

TEST_F(JiraWebhookRegistrarTest, DeletionRemovesOnlyTheConnectionsOwnWebhooks) {
  register_one("u1", 10000);
  jira_->answer = [](const actions::ActionRequest&) { return respond(202); };
  jira_->seen.clear();
  Status unknown = run(delete_jira_webhooks(deps(), {"jira", "u1"}, sender("u1"), {99}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_TRUE(jira_->seen.empty());

  Status deleted = run(delete_jira_webhooks(deps(), {"jira", "u1"}, sender("u1"), {10000}));
  ASSERT_TRUE(deleted) << deleted.error().message;
  ASSERT_EQ(jira_->seen.size(), 1u);
  EXPECT_EQ(jira_->seen[0].method, "DELETE");
  EXPECT_EQ(json::parse(jira_->seen[0].body), (json{{"webhookIds", {10000}}}));
  EXPECT_TRUE(stored("u1").empty());
}

TEST_F(JiraWebhookRegistrarTest, OnlyAnAtlassianConnectionWithASiteAndAReceiverQualifies) {
  const config::Integration& jira = project_->integrations.at("jira");
  auto connection = store_->find_connection({"jira", "u1"});
  ASSERT_TRUE(connection);
  EXPECT_TRUE(check_jira_webhook_target(jira, true, *connection));
  EXPECT_NE(check_jira_webhook_target(jira, false, *connection).error().message.find("webhook_url"),
            std::string::npos);
  store::Connection unchosen = *connection;
  unchosen.connection_config.erase("cloudId");
  EXPECT_NE(check_jira_webhook_target(jira, true, unchosen).error().message.find("site"),
            std::string::npos);
  config::Integration other = jira;
  other.post_connection.clear();
  EXPECT_FALSE(check_jira_webhook_target(other, true, *connection));
  EXPECT_EQ(jira_delivery_url(project_->server, "jira"), kDeliveryUrl);
}

}  // namespace
}  // namespace ferry::atlassian
