#include "ferry/auth/oauth2/refresher.h"

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>

#include "ferry/auth/oauth2/expiry.h"
#include "ferry/auth/oauth2/refresh_flight.h"
#include "ferry/auth/oauth2/token_client.h"
#include "ferry/auth/oauth2/token_commit.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/events/connection_events.h"
#include "ferry/core/crypto.h"
#include "ferry/http/json.h"
#include "ferry/observe/ferry_metrics.h"
#include "ferry/observe/log.h"
#include "ferry/observe/redact.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/connection_snapshot.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {

namespace net = boost::asio;
using store::Connection;
using store::ConnectionKey;
using Snapshot = std::shared_ptr<const Connection>;
using Steady = std::chrono::steady_clock;

namespace {

// A forced caller may meet flights that renew nothing (started unforced by others); it
// gives up waiting for a forced one after this many and uses what the last one returned.
constexpr int kMaxFlightsPerCall = 3;

// A flight whose refresh claim another process holds asks again, backing off from the first
// delay to the last; it gives up (503) after the holder's token request could have timed out.
constexpr std::chrono::milliseconds kClaimRetryFirst{5};
constexpr std::chrono::milliseconds kClaimRetryLast{100};
constexpr std::chrono::seconds kClaimPatienceMin{120};
constexpr std::chrono::seconds kClaimPatienceMargin{10};

std::chrono::seconds claim_patience(const config::Integration* integration) {
  if (!integration || !integration->http_request_timeout) return kClaimPatienceMin;
  return std::max(kClaimPatienceMin, *integration->http_request_timeout + kClaimPatienceMargin);
}

const std::string& endpoint_of(const config::Integration& integration, Renewal renewal) {
  if (renewal == Renewal::refresh_token && !integration.auth.refresh_url.empty()) {
    return integration.auth.refresh_url;
  }
  return integration.auth.token_url;
}

std::string_view grant_name(Renewal renewal) {
  return renewal == Renewal::client_credentials ? "client_credentials" : "refresh_token";
}

// One renewal attempt, for the activity log and the server log.
struct Attempt {
  ConnectionKey key;
  Renewal renewal = Renewal::none;
  std::string url;
  std::string log_id = random_hex(8);
  Steady::time_point started = Steady::now();
};

}  // namespace

struct Refresher::Shared {
  RefresherDependencies deps;
  mutable std::mutex mu;
  std::map<ConnectionKey, std::shared_ptr<RefreshFlight>> flights;  // guarded by mu

  TimePoint now() const { return deps.clock->now(); }

  // The flight in progress for `key`, or a new one (then the caller must lead it).
  std::pair<std::shared_ptr<RefreshFlight>, bool> join_or_start(const ConnectionKey& key,
                                                                bool forced) {
    std::lock_guard lock(mu);
    auto& slot = flights[key];
    if (slot) return {slot, false};
    slot = std::make_shared<RefreshFlight>(forced);
    return {slot, true};
  }

  // Removes the flight from the table first, so a caller arriving after the outcome starts
  // afresh (and re-reads the committed row), then wakes every waiter.
  void finish(const ConnectionKey& key, const std::shared_ptr<RefreshFlight>& flight,
              FlightOutcome outcome) {
    {
      std::lock_guard lock(mu);
      auto it = flights.find(key);
      if (it != flights.end() && it->second == flight) flights.erase(it);
    }
    flight->complete(std::move(outcome));
  }

  // The flight's work: takes the refresh claim, renews under it, releases it.
  net::awaitable<FlightOutcome> renew(const ConnectionKey& key, bool forced);
  net::awaitable<Result<std::unique_ptr<store::RefreshClaim>>> claim(const ConnectionKey& key);
  net::awaitable<FlightOutcome> renew_claimed(const ConnectionKey& key, bool forced);
  net::awaitable<FlightOutcome> on_grant(const Attempt& attempt, const Connection& used,
                                         const TokenGrant& grant);
  net::awaitable<FlightOutcome> on_failure(const Attempt& attempt, const Connection& used,
                                           const Error& error);
  // Runs a step of token_commit.h on the blocking pool; the row it returns becomes a
  // snapshot.
  template <class F>
  net::awaitable<Result<Committed>> in_store(F step) {
    store::Store& store = *deps.store;
    co_return co_await deps.blocking->run([&store, &step] { return step(store); });
  }
  void record(const Attempt& attempt, const std::string& level, int status,
              const std::string& message);
};

namespace {

net::awaitable<void> lead(std::shared_ptr<Refresher::Shared> shared, ConnectionKey key,
                          std::shared_ptr<RefreshFlight> flight) {
  FlightOutcome outcome = co_await shared->renew(key, flight->forced());
  shared->finish(key, flight, std::move(outcome));
}

// Runs the flight apart from the request that started it: if that request's session goes
// away, the waiters still get an outcome. An escaped exception still completes the flight.
void launch(const net::any_io_executor& executor, std::shared_ptr<Refresher::Shared> shared,
            const ConnectionKey& key, std::shared_ptr<RefreshFlight> flight) {
  auto on_done = [shared, key, flight](std::exception_ptr thrown) {
    if (!thrown) return;
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    observe::error("token refresh of {} failed: {}", store::describe(key), observe::redact(what));
    shared->finish(key, flight,
                   FlightOutcome{Error{Errc::internal, fmt::format("the token refresh of {} failed",
                                                                   store::describe(key))},
                                 false});
  };
  net::co_spawn(executor, lead(shared, key, flight), std::move(on_done));
}

}  // namespace

net::awaitable<FlightOutcome> Refresher::Shared::renew(const ConnectionKey& key, bool forced) {
  auto claimed = co_await claim(key);
  if (!claimed) co_return FlightOutcome{claimed.error(), false};
  std::unique_ptr<store::RefreshClaim> held = std::move(*claimed);
  std::optional<FlightOutcome> outcome;
  std::exception_ptr thrown;
  try {
    outcome = co_await renew_claimed(key, forced);
  } catch (...) {
    thrown = std::current_exception();
  }
  // Releasing tells the database (PostgreSQL): on the blocking pool, whatever happened.
  co_await deps.blocking->run([&held] { held.reset(); });
  if (thrown) std::rethrow_exception(thrown);
  co_return std::move(*outcome);
}

net::awaitable<Result<std::unique_ptr<store::RefreshClaim>>> Refresher::Shared::claim(
    const ConnectionKey& key) {
  store::Store& store = *deps.store;
  const auto give_up =
      Steady::now() + claim_patience(deps.project->find_integration(key.provider_config_key));
  auto delay = kClaimRetryFirst;
  for (;;) {
    auto claimed =
        co_await deps.blocking->run([&store, &key] { return store.try_claim_refresh(key); });
    if (!claimed || *claimed) co_return claimed;
    // Another process is renewing this connection: its result will be in the row we read
    // once the claim is ours.
    if (Steady::now() >= give_up) {
      co_return Error{Errc::unavailable,
                      fmt::format("another instance has been renewing the tokens of {} for too "
                                  "long; try again",
                                  store::describe(key))};
    }
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(net::use_awaitable);
    delay = std::min(delay * 2, kClaimRetryLast);
  }
}

net::awaitable<FlightOutcome> Refresher::Shared::renew_claimed(const ConnectionKey& key,
                                                               bool forced) {
  // Past the cache: another process may have renewed since this one cached the row.
  store::Store& store = *deps.store;
  auto current = co_await deps.blocking->run([&store, &key] { return read_fresh(store, key); });
  if (!current) co_return FlightOutcome{current.error(), false};
  auto snapshot = store::make_snapshot(std::move(*current));
  const config::Integration* integration = deps.project->find_integration(key.provider_config_key);
  if (!integration) co_return FlightOutcome{snapshot, false};
  const Renewal renewal = renewal_needed(*integration, snapshot->credentials, now(), forced);
  if (renewal == Renewal::none) co_return FlightOutcome{snapshot, false};

  Attempt attempt;
  attempt.key = key;
  attempt.renewal = renewal;
  attempt.url = endpoint_of(*integration, renewal);
  Result<TokenGrant> grant = Error{Errc::internal, "no token request was made"};
  if (renewal == Renewal::refresh_token) {
    grant = co_await refresh_tokens(*deps.exchange, *integration,
                                    snapshot->credentials.refresh_token, now());
  } else {
    grant = co_await client_credentials_tokens(*deps.exchange, *integration, now());
  }
  if (grant) co_return co_await on_grant(attempt, *snapshot, *grant);
  co_return co_await on_failure(attempt, *snapshot, grant.error());
}

net::awaitable<FlightOutcome> Refresher::Shared::on_grant(const Attempt& attempt,
                                                          const Connection& used,
                                                          const TokenGrant& grant) {
  // Atlassian rotates refresh tokens: persist before use. Waiters resume only after this.
  auto committed = co_await in_store([&](store::Store& store) {
    return commit_grant(store, used, grant, deps.events.get());
  });
  if (!committed) {
    record(attempt, "error", 200, "new tokens could not be saved: " + committed.error().message);
    co_return FlightOutcome{committed.error(), false};
  }
  record(attempt, "info", 200,
         committed->ours ? "access token renewed" : "another holder renewed the tokens first");
  co_return FlightOutcome{store::make_snapshot(std::move(committed->connection)),
                          true};
}

net::awaitable<FlightOutcome> Refresher::Shared::on_failure(const Attempt& attempt,
                                                            const Connection& used,
                                                            const Error& error) {
  const std::string subject = store::describe(attempt.key);
  if (error.code != Errc::upstream_auth_failed) {
    // The endpoint is down or slow: the stored tokens may still be good; leave them.
    record(attempt, "error", static_cast<int>(http::http_status(error.code)), error.message);
    co_return FlightOutcome{Error{error.code, fmt::format("the access token of {} could not be "
                                                          "renewed: {}",
                                                          subject, error.message)},
                            false};
  }
  const std::string message = observe::redact(
      fmt::format("the provider refused to renew the tokens of {}; it must be reconnected: {}",
                  subject, error.message));
  auto marked = co_await in_store([&](store::Store& store) {
    return mark_auth_failure(store, used, attempt.log_id, message, deps.events.get());
  });
  if (!marked) co_return FlightOutcome{marked.error(), false};
  if (!marked->ours) {
    // Our refresh token was already spent by another holder, which saved newer tokens.
    record(attempt, "info", 200, "another holder renewed the tokens first");
    co_return FlightOutcome{store::make_snapshot(std::move(marked->connection)),
                            true};
  }
  record(attempt, "warn", 424, message);
  co_return FlightOutcome{Error{Errc::upstream_auth_failed, message}, false};
}

void Refresher::Shared::record(const Attempt& attempt, const std::string& level, int status,
                               const std::string& message) {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - attempt.started);
  const std::string text = observe::redact(message);
  // The key names an integration of the configuration: renew_claimed() found it there.
  observe::integration_metrics(attempt.key.provider_config_key)
      .record_refresh(level == "info", Steady::now() - attempt.started);
  observe::log(level == "info" ? observe::Level::info : observe::Level::warn,
               "token renewal ({}) of {}: {} in {}ms", grant_name(attempt.renewal),
               store::describe(attempt.key), text, elapsed.count());
  if (!deps.activity) return;
  store::ActivityEntry entry;
  entry.level = level;
  entry.type = "refresh";
  entry.provider_config_key = attempt.key.provider_config_key;
  entry.connection_id = attempt.key.connection_id;
  entry.method = "POST";
  entry.url = observe::redact(attempt.url);
  entry.status = status;
  entry.duration_ms = elapsed.count();
  entry.attempts = 1;
  entry.message = text;
  entry.details = {{"log_id", attempt.log_id}, {"grant_type", grant_name(attempt.renewal)}};
  deps.activity->record(std::move(entry));
}

Refresher::Refresher(RefresherDependencies deps) : shared_(std::make_shared<Shared>()) {
  if (!deps.clock) deps.clock = system_clock();
  shared_->deps = std::move(deps);
}

Refresher::~Refresher() = default;

std::size_t Refresher::flights_in_progress() const {
  std::lock_guard lock(shared_->mu);
  return shared_->flights.size();
}

net::awaitable<Result<Snapshot>> Refresher::usable_connection(const ConnectionKey& key,
                                                              bool force_refresh) {
  // The hot path: this thread's snapshot, no suspension, when nothing needs renewing.
  auto found = co_await shared_->deps.cache->find(key);
  if (!found) co_return found;
  const config::Integration* integration =
      shared_->deps.project->find_integration(key.provider_config_key);
  if (!integration || renewal_needed(*integration, (*found)->credentials, shared_->now(),
                                     force_refresh) == Renewal::none) {
    co_return found;
  }
  const auto executor = co_await net::this_coro::executor;
  std::optional<FlightOutcome> outcome;
  for (int flight_number = 0; flight_number < kMaxFlightsPerCall; ++flight_number) {
    auto [flight, leader] = shared_->join_or_start(key, force_refresh);
    if (leader) launch(executor, shared_, key, flight);
    FlightOutcome result = co_await flight->wait();
    outcome = std::move(result);
    // A forced call needs tokens newer than those it saw fail; an unforced flight that
    // found the row fresh did not renew them, so go again with a forced one.
    if (!force_refresh || flight->forced() || !outcome->connection || outcome->renewed) break;
  }
  co_return std::move(outcome->connection);
}

}  // namespace ferry::auth::oauth2
