#include "ferry/auth/oauth2/keep_alive.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/auth/credential_source.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/events/connection_events.h"
#include "ferry/observe/log.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

namespace net = boost::asio;

// Connections read per page when looking for grants that end soon.
constexpr std::size_t kGrantPage = 500;

bool is_refreshable(const store::Connection& c) {
  return c.credentials.type == store::CredentialType::oauth2 &&
         !c.credentials.refresh_token.empty() && !events::has_auth_error(c.errors);
}

}  // namespace

KeepAlive::KeepAlive(std::shared_ptr<const config::Project> project,
                     std::shared_ptr<store::Store> store,
                     std::shared_ptr<CredentialSource> credentials,
                     std::shared_ptr<const events::ConnectionEvents> events,
                     std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock,
                     net::any_io_executor executor, KeepAliveOptions options)
    : project_(std::move(project)),
      store_(std::move(store)),
      credentials_(std::move(credentials)),
      events_(std::move(events)),
      blocking_(std::move(blocking)),
      clock_(std::move(clock)),
      executor_(std::move(executor)),
      options_(options) {}

bool KeepAlive::has_work() const {
  for (const auto& [key, integration] : project_->integrations) {
    if (integration.keep_alive_after) return true;
    if (integration.auth.refresh_token_max_lifetime.count() > 0 && events_ &&
        events_->enabled()) {
      return true;
    }
  }
  return false;
}

void KeepAlive::start() {
  net::co_spawn(executor_, [self = shared_from_this()] { return self->run(); }, net::detached);
}

void KeepAlive::stop() { stopping_ = true; }

net::awaitable<void> KeepAlive::pause(std::chrono::milliseconds wait) {
  // In short steps, so stop() is heard soon.
  net::steady_timer timer(co_await net::this_coro::executor);
  const auto until = std::chrono::steady_clock::now() + wait;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    timer.expires_at(std::min(until, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    boost::system::error_code ignored;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
}

net::awaitable<void> KeepAlive::run() {
  while (!stopping_) {
    co_await pause(options_.interval);
    if (stopping_) break;
    const SweepReport report = co_await sweep();
    if (report.refreshed + report.failed + report.warned > 0) {
      observe::info("keep-alive: {} connection(s) refreshed, {} failed, {} grant(s) ending soon",
                    report.refreshed, report.failed, report.warned);
    }
  }
}

net::awaitable<SweepReport> KeepAlive::sweep() {
  SweepReport report;
  for (const auto& entry : project_->integrations) {
    // A reference, not a structured binding: lambdas below capture it.
    const config::Integration& integration = entry.second;
    if (stopping_) break;
    if (integration.keep_alive_after) co_await keep_alive(integration, report);
    if (integration.auth.refresh_token_max_lifetime.count() > 0 && events_ &&
        events_->enabled()) {
      co_await blocking_->run([&] { warn_of_grant_ends(integration, report); });
    }
  }
  co_return report;
}

net::awaitable<void> KeepAlive::keep_alive(const config::Integration& integration,
                                           SweepReport& report) {
  store::ConnectionFilter filter;
  filter.provider_config_key = integration.key;
  filter.tokens_issued_before = clock_->now() - *integration.keep_alive_after;
  filter.limit = options_.batch;
  auto idle = co_await blocking_->run([&] { return store_->list_connections(filter); });
  if (!idle) {
    observe::warn("keep-alive of {}: cannot list connections: {}", integration.key,
                  idle.error().message);
    co_return;
  }
  bool first = true;
  for (const store::Connection& c : *idle) {
    if (stopping_) co_return;
    if (!is_refreshable(c)) continue;
    if (!first) co_await pause(options_.spacing);
    first = false;
    auto renewed = co_await credentials_->usable_connection(c.key(), /*force_refresh=*/true);
    if (renewed) {
      ++report.refreshed;
    } else {
      ++report.failed;
      observe::warn("keep-alive refresh of {} failed: {}", store::describe(c.key()),
                    renewed.error().message);
    }
  }
}

void KeepAlive::warn_of_grant_ends(const config::Integration& integration,
                                   SweepReport& report) {
  const TimePoint now = clock_->now();
  store::ConnectionFilter filter;
  filter.provider_config_key = integration.key;
  filter.limit = kGrantPage;
  for (;; filter.offset += kGrantPage) {
    auto page = store_->list_connections(filter);
    if (!page) {
      observe::warn("grant expiry of {}: cannot list connections: {}", integration.key,
                    page.error().message);
      return;
    }
    std::vector<store::OutboxEvent> warnings;
    for (const store::Connection& c : *page) {
      if (!c.grant_started_at || c.credentials.type != store::CredentialType::oauth2) continue;
      const TimePoint ends = *c.grant_started_at + integration.auth.refresh_token_max_lifetime;
      if (ends - options_.grant_warning > now) continue;
      auto made = events_->make(events::ConnectionEventKind::grant_expiring, c, c.version, "",
                                ends);
      warnings.insert(warnings.end(), made.begin(), made.end());
    }
    if (!warnings.empty()) {
      if (auto written = store_->append_outbox(warnings); !written) {
        observe::warn("grant expiry of {}: cannot write events: {}", integration.key,
                      written.error().message);
        return;
      }
      report.warned += warnings.size();
    }
    if (page->size() < kGrantPage) return;
  }
}

}  // namespace ferry::auth::oauth2
