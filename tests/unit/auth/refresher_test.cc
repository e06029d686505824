#include "ferry/auth/oauth2/refresher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <boost/asio/co_spawn.hpp>
#include <thread>

#include "ferry/core/blocking_pool.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/observe/log.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/open_store.h"
#include "ferry/store/write_through_store.h"
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

// The refresher under test runs on ioc_, on as many threads as a test asks: its flight
// table is shared by every thread. ioc_ is no registered I/O thread, so the connection
// cache reads through and the engine opens a connection per request: the test sees every
// store read and token request.
class RefresherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)observe::init_logging({observe::Level::error, "", true});
    endpoint_ = std::make_unique<TokenEndpoint>();
    auto opened = store::open_store("sqlite://:memory:", "", clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    std::shared_ptr<store::Store> database = std::move(*opened);
    cache_ = std::make_shared<store::ConnectionCache>(database, IoWorkers(), *blocking_);
    store_ = std::make_shared<store::WriteThroughStore>(database, cache_);
    auto engine = http::UpstreamEngine::create({}, IoWorkers());
    ASSERT_TRUE(engine) << engine.error().message;
    exchange_ = *engine;
    project_->integrations["jira"] = oauth2_integration("jira", config::GrantType::authorization_code);
    project_->integrations["service"] =
        oauth2_integration("service", config::GrantType::client_credentials);
    refresher_ = std::make_unique<Refresher>(dependencies(nullptr));
  }

  RefresherDependencies dependencies(std::shared_ptr<store::ActivityWriter> activity) {
    RefresherDependencies deps;
    deps.project = project_;
    deps.store = store_;
    deps.cache = cache_;
    deps.exchange = exchange_;
    deps.blocking = blocking_;
    deps.clock = clock_;
    deps.activity = std::move(activity);
    return deps;
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
    return add_with(key, oauth2_credentials("at-0", refresh_token, clock_->now() + expires_in));
  }
  static store::Credentials oauth2_credentials(std::string access, std::string refresh,
                                               std::optional<TimePoint> expires_at) {
    store::Credentials c;
    c.type = store::CredentialType::oauth2;
    c.access_token = std::move(access);
    c.refresh_token = std::move(refresh);
    c.expires_at = expires_at;
    return c;
  }
  Connection add_with(const ConnectionKey& key, store::Credentials credentials) {
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

  // The connection as the refresher hands it out (a snapshot), copied for the test.
  Result<Connection> use(const ConnectionKey& key, bool force = false) {
    Result<Connection> out = Error{Errc::internal, "not run"};
    run_all({[&]() -> net::awaitable<void> {
      auto got = co_await refresher_->usable_connection(key, force);
      if (got) {
        out = **got;
      } else {
        out = got.error();
      }
    }});
    return out;
  }

  net::io_context ioc_;
  std::shared_ptr<BlockingPool> blocking_ = std::make_shared<BlockingPool>(2);
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<TokenEndpoint> endpoint_;
  std::shared_ptr<store::ConnectionCache> cache_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<http::Exchange> exchange_;
  std::shared_ptr<config::Project> project_ = std::make_shared<config::Project>();
  std::unique_ptr<Refresher> refresher_;
};

TEST_F(RefresherTest, TokensOutsideTheMarginAreUsedWithoutATokenRequest) {
  add(kJira, minutes(16));
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_token, "at-0");
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, TokensWithinTheMarginAreRefreshedAndCommitted) {
  add(kJira, minutes(14));
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_token, "at-1");
  EXPECT_EQ(got->credentials.refresh_token, "rt-1");
  EXPECT_EQ(got->credentials.expires_at, clock_->now() + std::chrono::hours(1));
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
  EXPECT_EQ(got->credentials.access_token, "at-1");
  EXPECT_EQ(endpoint_->count(), 1);
}

TEST_F(RefresherTest, ClockPastExpiryRefreshesOnceThenUsesTheNewTokens) {
  add(kJira, std::chrono::hours(1));
  ASSERT_TRUE(use(kJira));
  clock_->advance(std::chrono::hours(2));
  for (int i = 0; i < 3; ++i) {
    auto got = use(kJira);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->credentials.access_token, "at-1");
  }
  EXPECT_EQ(endpoint_->count(), 1);
}

TEST_F(RefresherTest, ForceRefreshRenewsTokensThatAreNotDue) {
  add(kJira, std::chrono::hours(1));
  auto got = use(kJira, true);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.refresh_token, "rt-1");
  got = use(kJira, true);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.refresh_token, "rt-2");
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
      seen[i] = {(*got)->credentials.access_token, (*got)->credentials.refresh_token,
                 now_stored->credentials.refresh_token};
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
      if (got && (*got)->credentials.access_token == "at-1") ++renewed;
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
  reconnect.credentials = oauth2_credentials("at-new", "rt-new", clock_->now());
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
  EXPECT_EQ(got->credentials.access_token, "at-0");
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, ClientCredentialsTokensAreAcquiredAndRenewedWithoutARefreshToken) {
  add_with(kService, oauth2_credentials("", "", std::nullopt));
  auto got = use(kService);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_token, "cc-1");
  EXPECT_TRUE(got->credentials.refresh_token.empty());
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
  EXPECT_EQ(got->credentials.access_token, "cc-2");
  EXPECT_EQ(stored(kService).credentials.access_token, "cc-2");
}

TEST_F(RefresherTest, TokensAnotherHolderCommittedFirstWinOverOurs) {
  add(kJira, -minutes(1));
  // While our request is at the provider, "another process" saves newer tokens.
  endpoint_->script([this](const Form& form, int number) {
    store::ConnectionUpdate other;
    other.credentials =
        oauth2_credentials("at-other", "rt-other", clock_->now() + std::chrono::hours(1));
    EXPECT_TRUE(store_->update_connection(kJira, other));
    return TokenEndpoint::rotating(form, number);
  });
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.refresh_token, "rt-other");
  EXPECT_EQ(stored(kJira).credentials.refresh_token, "rt-other");
}

TEST_F(RefresherTest, ARejectionAfterAnotherHolderRotatedDoesNotMarkTheConnection) {
  add(kJira, -minutes(1));
  endpoint_->script([this](const Form& form, int number) {
    store::ConnectionUpdate other;
    other.credentials =
        oauth2_credentials("at-other", "rt-other", clock_->now() + std::chrono::hours(1));
    EXPECT_TRUE(store_->update_connection(kJira, other));
    return TokenEndpoint::invalid_grant(form, number);
  });
  auto got = use(kJira);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_token, "at-other");
  EXPECT_TRUE(stored(kJira).errors.empty());
}

TEST_F(RefresherTest, AClaimHeldElsewhereIsAwaitedAndItsTokensUsedWithoutARequest) {
  add(kJira, -minutes(1));
  // Another process is renewing user-1: it holds the claim while its token request runs.
  auto other = store_->try_claim_refresh(kJira);
  ASSERT_TRUE(other && *other);
  auto ours = std::async(std::launch::async, [this] { return use(kJira); });
  EXPECT_EQ(ours.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "the refresh went ahead while another holder had the claim";
  // The other process commits its new tokens, then lets go.
  store::ConnectionUpdate renewed;
  renewed.credentials =
      oauth2_credentials("at-other", "rt-other", clock_->now() + std::chrono::hours(1));
  ASSERT_TRUE(store_->update_connection(kJira, renewed));
  other->reset();
  auto got = ours.get();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_token, "at-other");
  EXPECT_EQ(endpoint_->count(), 0) << "one token request across holders, and it was theirs";
  EXPECT_EQ(refresher_->flights_in_progress(), 0u);
  // The claim was released: another holder can take it.
  auto again = store_->try_claim_refresh(kJira);
  EXPECT_TRUE(again && *again);
}

TEST_F(RefresherTest, UnknownConnectionIsNotFound) {
  auto got = use(kJira);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::not_found);
  EXPECT_EQ(endpoint_->count(), 0);
}

TEST_F(RefresherTest, EachRenewalIsInTheActivityLogWithoutTokens) {
  auto activity = std::make_shared<store::ActivityWriter>(store_);
  refresher_ = std::make_unique<Refresher>(dependencies(activity));
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
