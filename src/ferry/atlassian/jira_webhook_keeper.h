#pragma once

// Keeps the Jira webhooks Ferry registered alive: Jira drops a dynamic webhook 30 days after
// its registration or last refresh (docs/atlassian.md). Every `interval` the sweep
// refreshes, per connection of every Atlassian integration, the webhooks that expire within
// kJiraWebhookRefreshMargin (20 days: a refresh about ten days after the last, leaving many
// sweeps to retry a failure), through `http`: the proxy's path for the connection
// (actions::ProxyActionHttp) in the server (atlassian/jira_webhook_registrar.h). A failure is kept on the entries (lastError) and in the
// activity log of the call; the next sweep tries again.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "ferry/atlassian/jira_webhook_list.h"
#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/core/periodic_task.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::store {
class Store;
}
namespace ferry::actions {
class ActionHttp;
}

namespace ferry::atlassian {

inline constexpr std::chrono::hours kJiraWebhookRefreshMargin{24 * 20};

// True when `webhook` expires within kJiraWebhookRefreshMargin of `now`. Pure.
bool needs_refresh(const JiraWebhook& webhook, TimePoint now);

struct KeeperReport {
  std::size_t connections_refreshed = 0;
  std::size_t connections_failed = 0;
};

class JiraWebhookKeeper : public std::enable_shared_from_this<JiraWebhookKeeper> {
 public:
  JiraWebhookKeeper(std::shared_ptr<const config::Project> project,
                    std::shared_ptr<store::Store> store,
                    std::shared_ptr<actions::ActionHttp> http,
                    std::shared_ptr<BlockingPool> blocking, std::shared_ptr<const Clock> clock,
                    boost::asio::any_io_executor executor,
                    std::chrono::milliseconds interval = std::chrono::hours(1));

  // True when some integration is an Atlassian one.
  bool has_work() const;

  void start();
  void stop();

  // One sweep. Suspends. Public for tests.
  boost::asio::awaitable<KeeperReport> sweep();

 private:
  const std::shared_ptr<const config::Project> project_;
  const std::shared_ptr<store::Store> store_;
  const std::shared_ptr<actions::ActionHttp> http_;
  const std::shared_ptr<BlockingPool> blocking_;
  const std::shared_ptr<const Clock> clock_;
  const boost::asio::any_io_executor executor_;
  std::unique_ptr<PeriodicTask> task_;
  std::atomic<bool> sweeping_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace ferry::atlassian
