#pragma once

// Keeps users' grants alive, and warns before one ends.
//
// Some providers end a refresh token that goes unused for a while (Atlassian: 90 days), so a
// user who connected once and whose product calls the API only now and then would have to
// consent again. Every `interval`, for each integration with keep_alive_after set
// (config::Integration), the sweep refreshes the OAuth 2 connections whose tokens were
// issued longer ago than that: at most `batch` per integration and sweep, one at a time,
// `spacing` apart, through the CredentialSource (so with the same single-flight claim as a
// refresh at request time). Connections whose refresh already failed are left to a reconnect.
//
// Some providers also end every grant a fixed time after the consent (Atlassian: 365 days).
// For integrations stating it (auth.refresh_token_max_lifetime), a connection whose grant ends
// within `grant_warning` gets one connection.grant_expiring event (events/): its id is made
// from the grant's end, so later sweeps do not repeat it.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
}
namespace ferry::events {
class ConnectionEvents;
}

namespace ferry::auth {
class CredentialSource;
}

namespace ferry::auth::oauth2 {

struct KeepAliveOptions {
  std::chrono::seconds interval{std::chrono::hours(1)};
  std::size_t batch = 200;
  std::chrono::milliseconds spacing{2000};
  std::chrono::seconds grant_warning{std::chrono::days(14)};
};

struct SweepReport {
  std::size_t refreshed = 0;  // keep-alive refreshes that succeeded
  std::size_t failed = 0;     // ... and that failed (the connection's errors say why)
  std::size_t warned = 0;     // grant_expiring events written (or already there)
};

class KeepAlive : public std::enable_shared_from_this<KeepAlive> {
 public:
  KeepAlive(std::shared_ptr<const config::Project> project, std::shared_ptr<store::Store> store,
            std::shared_ptr<CredentialSource> credentials,
            std::shared_ptr<const events::ConnectionEvents> events,
            std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock,
            boost::asio::any_io_executor executor, KeepAliveOptions options = {});

  // True when some integration asks for keep-alive or states a grant lifetime.
  bool has_work() const;

  // Sweeps every `interval` on the executor (the first one interval after start) until
  // stop(). A sweep in progress ends at its next connection.
  void start();
  void stop();

  // One sweep. Suspends. Public for tests.
  boost::asio::awaitable<SweepReport> sweep();

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> keep_alive(const config::Integration& integration,
                                          SweepReport& report);
  void warn_of_grant_ends(const config::Integration& integration, SweepReport& report);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds wait);

  const std::shared_ptr<const config::Project> project_;
  const std::shared_ptr<store::Store> store_;
  const std::shared_ptr<CredentialSource> credentials_;
  const std::shared_ptr<const events::ConnectionEvents> events_;
  const std::shared_ptr<BlockingPool> blocking_;
  const std::shared_ptr<const Clock> clock_;
  const boost::asio::any_io_executor executor_;
  const KeepAliveOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace ferry::auth::oauth2
