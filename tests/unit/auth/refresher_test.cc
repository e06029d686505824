#include "ferry/auth/oauth2/refresher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <thread>

#include "ferry/http/client/http_client.h"
#include "ferry/observe/log.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/cached_store.h"
#include "ferry/store/open_store.h"
#include "token_endpoint.h"

namespace ferry::auth::oauth2 {
namespace {

namespace net = boost::asio;
using nlohmann::json;
using std::chrono::minutes;
using store::Connection;
using store::ConnectionKey;
using testing::Form;
using testing::TokenEndpoint;

const ConnectionKey kJira{"jira", "user-1"};
const ConnectionKey kService{"service", "tenant-1"};

class RefresherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)observe::init_logging({observe::Level::error, "", true});
    endpoint_ = std::make_unique<TokenEndpoint>(ioc_);
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::make_shared<store::CachedStore>(std::move(*opened));
    auto client = http::HttpClient::create(ioc_, {});
    ASSERT_TRUE(client) << client.error().message;
    client_ = *client;
    project_->integrations["jira"] = oauth2_integration("jira", config::GrantType::authorization_code);
    project_->integrations["service"] =
        oauth2_integration("service", config::GrantType::client_credentials);
    refresher_ = std::make_unique<Refresher>(
        RefresherDependencies{project_, store_, client_, clock_, nullptr});
  }

  config::Integration oauth2_integration(const std::string& key, config::GrantType grant) {
    config::Integration i;
    i.key = key;
    i.provider = key;
    i.oauth_client_id = "client-" + key;
    i.oauth_client_secret = "secret-" + key;
    i.oauth_scopes = {"read", "write"};
    i.auth.auth_mode = config::AuthMode::oauth2;
    i.auth.grant_type = grant;
    i.auth.token_url = endpoint_->url();
    return i;
  }

  // Registers a connection whose access token expires `expires_in` from the fake now.
  Connection add(const ConnectionKey& key, std::chrono::seconds expires_in,
                 const std::string& refresh_token = "rt-0") {
    json credentials = {{"type", "OAUTH2"},
                        {"access_token", "at-0"},
                        {"expires_at", format_iso8601(clock_->now() + expires_in)}};
    if (!refresh_token.empty()) credentials["refresh_token"] = refresh_token;
    return add_with(key, credentials);
  }
  Connection add_with(const ConnectionKey& key, json credentials) {
    Connection c;
    c.provider_config_key = key.provider_config_key;
    c.connection_id = key.connection_id;
    c.provider = key.provider_config_key;
    c.credentials = std::move(credentials);
    auto created = store_->create_connection(c);
    EXPECT_TRUE(created) << created.error().message;
    return *created;
  }
  Connection stored(const ConnectionKey& key) {
    auto found = store_->find_connection(key);
    EXPECT_TRUE(found) << found.error().message;
    return *found;
  }

  // Runs every body concurrently on the io_context (on `threads` threads) until all end.
  void run_all(std::vector<std::function<net::awaitable<void>()>> bodies, int threads = 1) {
    std::atomic<std::size_t> remaining = bodies.size();
    std::mutex mu;
    std::vector<std::exception_ptr> failures;
    for (auto& body : bodies) {
      net::co_spawn(ioc_, body(), [&](std::exception_ptr e) {
        if (e) {
          std::lock_guard lock(mu);
          failures.push_back(e);
        }
        if (--remaining == 0) ioc_.stop();
      });
    }
    ioc_.restart();
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : pool) t.join();
    ASSERT_EQ(remaining.load(), 0u);
    for (auto& e : failures) std::rethrow_exception(e);
  }

  Result<Connection> use(const ConnectionKey& key, bool force = false) {
    Result<Connection> out = Error{Errc::internal, "not run"};
    run_all({[&]() -> net::awaitable<void> {
      out = co_await refresher_->usable_connection(key, force);
    }});
    return out;
  }

  net::io_context ioc_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<TokenEndpoint> endpoint_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<http::HttpClient> client_;
  std::shared_ptr<config::Project> project_ = std::make_shared<config::Project>();
  std::unique_ptr<Refresher> refresher_;
};

TEST_F(RefresherTest, TokensOutsideTheMarginAreUsedWithoutATokenRequest) {
  add(kJira, minutes(16));
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "at-0");
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, TokensWithinTheMarginAreRefreshedAndCommitted) {
  add(kJira, minutes(14));
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "at-1");
  EXPECT_EQ(got->credentials["refresh_token"], "rt-1");
  EXPECT_EQ(got->credentials["expires_at"], format_iso8601(clock_->now() + std::chrono::hours(1)));
  ASSERT_EQ(endpoint_->count(), 1);
  const Form sent = endpoint_->requests()[0];
  EXPECT_EQ(sent.at("grant_type"), "refresh_token");
  EXPECT_EQ(sent.at("refresh_token"), "rt-0");
  EXPECT_EQ(sent.at("client_id"), "client-jira");
  EXPECT_EQ(sent.at("client_secret"), "secret-jira");
  EXPECT_EQ(stored(kJira).credentials, got->credentials);
  // Now fresh: the next use asks nothing.
  ASSERT_TRUE(use(kJira));
  EXPECT_EQ(endpoint_->count(), 1);
}

TEST_F(RefresherTest, TheIntegrationsMarginDecidesWhenTokensAreDue) {
  project_->integrations["jira"].auth.refresh_margin = minutes(5);
  add(kJira, minutes(10));
  ASSERT_TRUE(use(kJira));
  EXPECT_EQ(endpoint_->count(), 0);
  clock_->advance(minutes(6));
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "at-1");
  EXPECT_EQ(endpoint_->count(), 1);
}

TEST_F(RefresherTest, ClockPastExpiryRefreshesOnceThenUsesTheNewTokens) {
  add(kJira, std::chrono::hours(1));
  ASSERT_TRUE(use(kJira));
  clock_->advance(std::chrono::hours(2));
  for (int i = 0; i < 3; ++i) {
    auto got = use(kJira);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->credentials["access_token"], "at-1");
  }
  EXPECT_EQ(endpoint_->count(), 1);
}

TEST_F(RefresherTest, ForceRefreshRenewsTokensThatAreNotDue) {
  add(kJira, std::chrono::hours(1));
  auto got = use(kJira, true);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["refresh_token"], "rt-1");
  got = use(kJira, true);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["refresh_token"], "rt-2");
  EXPECT_EQ(endpoint_->requests()[1].at("refresh_token"), "rt-1");
}

TEST_F(RefresherTest, FiftyConcurrentCallersShareOneRefreshCommittedBeforeAnyResumes) {
  add(kJira, -minutes(1));
  endpoint_->delay(std::chrono::milliseconds(50));
  struct Seen {
    std::string access, refresh, stored_refresh;
  };
  std::vector<Seen> seen(50);
  std::vector<std::function<net::awaitable<void>()>> bodies;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    bodies.push_back([this, &seen, i]() -> net::awaitable<void> {
      auto got = co_await refresher_->usable_connection(kJira, false);
      if (!got) throw std::runtime_error(got.error().message);
      // What the store holds the moment this caller resumes.
      auto now_stored = store_->find_connection(kJira);
      if (!now_stored) throw std::runtime_error(now_stored.error().message);
      seen[i] = {got->credentials["access_token"], got->credentials["refresh_token"],
                 now_stored->credentials["refresh_token"]};
    });
  }
  run_all(std::move(bodies), 4);
  EXPECT_EQ(endpoint_->count(), 1);
  for (const auto& s : seen) {
    EXPECT_EQ(s.access, "at-1");
    EXPECT_EQ(s.refresh, "rt-1");
    EXPECT_EQ(s.stored_refresh, "rt-1");
  }
  EXPECT_EQ(refresher_->flights_in_progress(), 0u);
}

TEST_F(RefresherTest, ConcurrentForcedCallersAlsoShareOneRefresh) {
  add(kJira, std::chrono::hours(1));
  endpoint_->delay(std::chrono::milliseconds(50));
  std::vector<std::function<net::awaitable<void>()>> bodies;
  std::atomic<int> renewed = 0;
  for (int i = 0; i < 20; ++i) {
    bodies.push_back([this, &renewed]() -> net::awaitable<void> {
      auto got = co_await refresher_->usable_connection(kJira, true);
      if (got && got->credentials["access_token"] == "at-1") ++renewed;
    });
  }
  run_all(std::move(bodies), 2);
  EXPECT_EQ(endpoint_->count(), 1);
  EXPECT_EQ(renewed.load(), 20);
}

TEST_F(RefresherTest, InvalidGrantMarksTheConnectionAndAnswers424UntilReconnected) {
  const Connection before = add(kJira, -minutes(1));
  endpoint_->script(&TokenEndpoint::invalid_grant);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto got = use(kJira);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, Errc::upstream_auth_failed);
    EXPECT_NE(got.error().message.find("invalid_grant: Unknown or invalid refresh token."),
              std::string::npos)
        << got.error().message;
  }
  Connection marked = stored(kJira);
  EXPECT_EQ(marked.credentials, before.credentials);
  ASSERT_EQ(marked.errors.size(), 1u) << marked.errors.dump();  // one mark, not one per try
  EXPECT_EQ(marked.errors[0]["type"], "auth");
  EXPECT_FALSE(marked.errors[0]["log_id"].get<std::string>().empty());
  EXPECT_NE(marked.errors[0]["message"].get<std::string>().find("invalid_grant"),
            std::string::npos);

  // A reconnect stores new tokens; the next successful refresh clears the mark.
  store::ConnectionUpdate reconnect;
  reconnect.credentials = json{{"type", "OAUTH2"},
                               {"access_token", "at-new"},
                               {"refresh_token", "rt-new"},
                               {"expires_at", format_iso8601(clock_->now())}};
  ASSERT_TRUE(store_->update_connection(kJira, reconnect));
  endpoint_->script(&TokenEndpoint::rotating);
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(endpoint_->requests().back().at("refresh_token"), "rt-new");
  EXPECT_TRUE(got->errors.empty()) << got->errors.dump();
  EXPECT_TRUE(stored(kJira).errors.empty());
}

TEST_F(RefresherTest, TokenEndpointDownAnswers502AndLeavesTokensUntouched) {
  const Connection before = add(kJira, -minutes(1));
  endpoint_->script(&TokenEndpoint::unavailable);
  auto got = use(kJira);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::upstream_unreachable);
  // Unreachable altogether (nothing listens on port 9 of loopback).
  project_->integrations["jira"].auth.token_url = "http://127.0.0.1:9/oauth/token";
  got = use(kJira);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::upstream_unreachable);
  const Connection after = stored(kJira);
  EXPECT_EQ(after.credentials, before.credentials);
  EXPECT_TRUE(after.errors.empty()) << after.errors.dump();
  EXPECT_EQ(after.version, before.version);
}

TEST_F(RefresherTest, ExpiredTokensWithoutARefreshTokenAreReturnedAsTheyAre) {
  add(kJira, -minutes(30), "");
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "at-0");
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, ClientCredentialsTokensAreAcquiredAndRenewedWithoutARefreshToken) {
  add_with(kService, json{{"type", "OAUTH2"}});
  auto got = use(kService);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "cc-1");
  EXPECT_FALSE(got->credentials.contains("refresh_token"));
  ASSERT_EQ(endpoint_->count(), 1);
  Form sent = endpoint_->requests()[0];
  EXPECT_EQ(sent.at("grant_type"), "client_credentials");
  EXPECT_EQ(sent.at("scope"), "read write");
  EXPECT_EQ(sent.count("refresh_token"), 0u);

  clock_->advance(minutes(30));  // 30 min left: not due
  ASSERT_TRUE(use(kService));
  EXPECT_EQ(endpoint_->count(), 1);
  clock_->advance(minutes(16));  // 14 min left: due
  got = use(kService);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "cc-2");
  EXPECT_EQ(stored(kService).credentials["access_token"], "cc-2");
}

TEST_F(RefresherTest, TokensAnotherHolderCommittedFirstWinOverOurs) {
  add(kJira, -minutes(1));
  // While our request is at the provider, "another process" saves newer tokens.
  endpoint_->script([this](const Form& form, int number) {
    store::ConnectionUpdate other;
    other.credentials = json{{"type", "OAUTH2"},
                             {"access_token", "at-other"},
                             {"refresh_token", "rt-other"},
                             {"expires_at", format_iso8601(clock_->now() + std::chrono::hours(1))}};
    EXPECT_TRUE(store_->update_connection(kJira, other));
    return TokenEndpoint::rotating(form, number);
  });
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["refresh_token"], "rt-other");
  EXPECT_EQ(stored(kJira).credentials["refresh_token"], "rt-other");
}

TEST_F(RefresherTest, ARejectionAfterAnotherHolderRotatedDoesNotMarkTheConnection) {
  add(kJira, -minutes(1));
  endpoint_->script([this](const Form& form, int number) {
    store::ConnectionUpdate other;
    other.credentials = json{{"type", "OAUTH2"},
                             {"access_token", "at-other"},
                             {"refresh_token", "rt-other"},
                             {"expires_at", format_iso8601(clock_->now() + std::chrono::hours(1))}};
    EXPECT_TRUE(store_->update_connection(kJira, other));
    return TokenEndpoint::invalid_grant(form, number);
  });
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials["access_token"], "at-other");
  EXPECT_TRUE(stored(kJira).errors.empty());
}

TEST_F(RefresherTest, UnknownConnectionIsNotFound) {
  auto got = use(kJira);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::not_found);
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, EachRenewalIsInTheActivityLogWithoutTokens) {
  auto activity = std::make_shared<store::ActivityWriter>(store_);
  refresher_ = std::make_unique<Refresher>(
      RefresherDependencies{project_, store_, client_, clock_, activity});
  add(kJira, -minutes(1));
  ASSERT_TRUE(use(kJira));
  activity->flush();
  store::ActivityFilter filter;
  filter.connection_id = "user-1";
  auto entries = store_->list_activity(filter);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  const auto& entry = entries->front();
  EXPECT_EQ(entry.type, "refresh");
  EXPECT_EQ(entry.level, "info");
  EXPECT_EQ(entry.details["grant_type"], "refresh_token");
  const std::string text = entry.message + entry.url + entry.details.dump();
  for (const char* secret : {"at-1", "rt-1", "rt-0", "secret-jira"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace ferry::auth::oauth2
