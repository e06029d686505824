// The keep-alive sweep under a fake clock: the real refresher and store, a scripted token
// endpoint on loopback. Idle connections are refreshed (and only those), failures become
// the connection's refresh_failed event once, and grants near their end are warned of once.
#include "ferry/auth/oauth2/keep_alive.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "ferry/auth/oauth2/refresher.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/events/connection_events.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/observe/log.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/open_store.h"
#include "ferry/store/write_through_store.h"
#include "token_endpoint.h"

namespace ferry::auth::oauth2 {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::TokenEndpoint;

class KeepAliveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)observe::init_logging({observe::Level::error, "", true});
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    std::shared_ptr<store::Store> database = std::move(*opened);
    cache_ = std::make_shared<store::ConnectionCache>(database, IoWorkers(), *blocking_);
    store_ = std::make_shared<store::WriteThroughStore>(database, cache_);
    auto engine = http::UpstreamEngine::create({}, IoWorkers());
    ASSERT_TRUE(engine) << engine.error().message;

    config::Integration jira;
    jira.key = "jira";
    jira.provider = "jira";
    jira.oauth_client_id = "client";
    jira.oauth_client_secret = "secret";
    jira.auth.auth_mode = config::AuthMode::oauth2;
    jira.auth.token_url = endpoint_.url();
    jira.auth.refresh_token_idle_lifetime = std::chrono::days(90);
    jira.auth.refresh_token_max_lifetime = std::chrono::days(365);
    jira.keep_alive_after = std::chrono::days(60);
    project_->integrations["jira"] = jira;
    config::Integration plain = jira;  // no rule: never swept
    plain.key = "plain";
    plain.keep_alive_after.reset();
    plain.auth.refresh_token_max_lifetime = 0s;
    project_->integrations["plain"] = plain;
    project_->server.webhook_url = "https://backend.example.com/hooks";
    events_ = std::make_shared<events::ConnectionEvents>(project_->server, clock_);

    RefresherDependencies deps;
    deps.project = project_;
    deps.store = store_;
    deps.cache = cache_;
    deps.exchange = *engine;
    deps.blocking = blocking_;
    deps.clock = clock_;
    deps.events = events_;
    refresher_ = std::make_shared<Refresher>(std::move(deps));
    KeepAliveOptions options;
    options.spacing = 0ms;
    keep_alive_ = std::make_shared<KeepAlive>(project_, store_, refresher_, events_, blocking_,
                                              clock_, ioc_.get_executor(), options);
  }

  // A connection whose tokens were issued `issued_ago`, in a grant `granted_ago` old.
  void add(const std::string& integration, const std::string& id,
           std::chrono::system_clock::duration issued_ago,
           std::chrono::system_clock::duration granted_ago) {
    store::Connection c;
    c.provider_config_key = integration;
    c.connection_id = id;
    c.provider = "jira";
    c.credentials.type = store::CredentialType::oauth2;
    c.credentials.access_token = "at-" + id;
    c.credentials.refresh_token = "rt-" + id;
    c.credentials.expires_at = clock_->now() - issued_ago + 1h;
    c.tokens_issued_at = clock_->now() - issued_ago;
    c.grant_started_at = clock_->now() - granted_ago;
    ASSERT_TRUE(store_->create_connection(c));
  }

  SweepReport sweep() {
    SweepReport report;
    net::co_spawn(ioc_, keep_alive_->sweep(), [&](std::exception_ptr e, SweepReport r) {
      if (e) std::rethrow_exception(e);
      report = r;
    });
    ioc_.restart();
    ioc_.run();
    return report;
  }

  std::vector<std::string> refreshed_tokens() {
    std::vector<std::string> out;
    for (const auto& form : endpoint_.requests()) out.push_back(form.at("refresh_token"));
    return out;
  }

  std::vector<std::string> event_types() {
    store::OutboxFilter filter;
    filter.limit = 0;
    std::vector<std::string> out;
    auto listed = store_->list_outbox(filter);
    EXPECT_TRUE(listed) << listed.error().message;
    for (const auto& e : *listed) {
      out.push_back(e.type + " " + e.key.connection_id);
    }
    return out;
  }

  net::io_context ioc_;
  std::shared_ptr<BlockingPool> blocking_ = std::make_shared<BlockingPool>(2);
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  TokenEndpoint endpoint_;
  std::shared_ptr<store::ConnectionCache> cache_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<config::Project> project_ = std::make_shared<config::Project>();
  std::shared_ptr<const events::ConnectionEvents> events_;
  std::shared_ptr<Refresher> refresher_;
  std::shared_ptr<KeepAlive> keep_alive_;
};

TEST_F(KeepAliveTest, IdleConnectionsAreRefreshedAndOnlyThose) {
  add("jira", "idle", std::chrono::days(61), std::chrono::days(61));
  add("jira", "busy", std::chrono::days(3), std::chrono::days(200));
  add("plain", "idle-elsewhere", std::chrono::days(80), std::chrono::days(80));
  ASSERT_TRUE(keep_alive_->has_work());

  SweepReport report = sweep();
  EXPECT_EQ(report.refreshed, 1u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(refreshed_tokens(), std::vector<std::string>{"rt-idle"});
  auto renewed = store_->find_connection({"jira", "idle"});
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->credentials.refresh_token, "rt-1");
  EXPECT_EQ(renewed->tokens_issued_at, clock_->now());
  // The grant itself is the same one.
  EXPECT_EQ(renewed->grant_started_at, clock_->now() - std::chrono::days(61));

  // Nothing is idle now; sixty-one days on, both jira connections are.
  EXPECT_EQ(sweep().refreshed, 0u);
  clock_->advance(std::chrono::days(61));
  EXPECT_EQ(sweep().refreshed, 2u);
  EXPECT_EQ(endpoint_.count(), 3);
  EXPECT_TRUE(event_types().empty());
}

TEST_F(KeepAliveTest, AFailedKeepAliveIsOneEventAndIsNotRetriedUntilReconnected) {
  add("jira", "revoked", std::chrono::days(70), std::chrono::days(70));
  endpoint_.script(TokenEndpoint::invalid_grant);
  SweepReport report = sweep();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(sweep().failed, 0u);  // marked: left to a reconnect
  EXPECT_EQ(endpoint_.count(), 1);
  EXPECT_EQ(event_types(), std::vector<std::string>{"connection.refresh_failed revoked"});
}

TEST_F(KeepAliveTest, GrantsEndingWithinTwoWeeksAreWarnedOfOnce) {
  add("jira", "old", std::chrono::days(1), std::chrono::days(352));    // ends in 13 days
  add("jira", "young", std::chrono::days(1), std::chrono::days(300));  // ends in 65 days
  add("plain", "unruled", std::chrono::days(1), std::chrono::days(364));
  SweepReport report = sweep();
  EXPECT_EQ(report.warned, 1u);
  sweep();
  EXPECT_EQ(event_types(), std::vector<std::string>{"connection.grant_expiring old"});
  store::OutboxFilter filter;
  auto events = store_->list_outbox(filter);
  const json body = json::parse(events->front().body);
  EXPECT_EQ(body["expiresAt"], format_iso8601(clock_->now() + std::chrono::days(13)));
  EXPECT_EQ(body["operation"], "refresh");

  // A reconnect starts a new grant: its end is warned of in its turn.
  store::ConnectionUpdate update;
  update.grant_started_at = clock_->now() - std::chrono::days(360);
  ASSERT_TRUE(store_->update_connection({"jira", "old"}, update));
  sweep();
  EXPECT_EQ(event_types().size(), 2u);
}

}  // namespace
}  // namespace ferry::auth::oauth2
