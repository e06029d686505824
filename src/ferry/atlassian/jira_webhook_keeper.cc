#include "ferry/atlassian/jira_webhook_keeper.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include "ferry/actions/action_http.h"
#include "ferry/atlassian/jira_webhook_registrar.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/observe/log.h"
#include "ferry/store/store.h"

namespace ferry::atlassian {
namespace {

namespace net = boost::asio;

}  // namespace

bool needs_refresh(const JiraWebhook& webhook, TimePoint now) {
  return webhook.expires_at - now < kJiraWebhookRefreshMargin;
}

JiraWebhookKeeper::JiraWebhookKeeper(std::shared_ptr<const config::Project> project,
                                     std::shared_ptr<store::Store> store,
                                     std::shared_ptr<actions::ActionHttp> http,
                                     std::shared_ptr<BlockingPool> blocking,
                                     std::shared_ptr<const Clock> clock,
                                     net::any_io_executor executor,
                                     std::chrono::milliseconds interval)
    : project_(std::move(project)),
      store_(std::move(store)),
      http_(std::move(http)),
      blocking_(std::move(blocking)),
      clock_(std::move(clock)),
      executor_(executor) {
  task_ = std::make_unique<PeriodicTask>(executor, interval, [this] {
    if (stopping_ || sweeping_.exchange(true)) return;
    net::co_spawn(
        executor_,
        [self = shared_from_this()]() -> net::awaitable<void> {
          const KeeperReport report = co_await self->sweep();
          if (report.connections_refreshed + report.connections_failed > 0) {
            observe::info("Jira webhooks refreshed for {} connection(s), {} failed",
                          report.connections_refreshed, report.connections_failed);
          }
          self->sweeping_ = false;
        },
        net::detached);
  });
}

bool JiraWebhookKeeper::has_work() const {
  for (const auto& [key, integration] : project_->integrations) {
    if (is_atlassian(integration)) return true;
  }
  return false;
}

void JiraWebhookKeeper::start() { task_->start(); }

void JiraWebhookKeeper::stop() {
  stopping_ = true;
  task_->stop();
}

net::awaitable<KeeperReport> JiraWebhookKeeper::sweep() {
  KeeperReport report;
  const std::shared_ptr<actions::ActionHttp> http = http_;
  for (const auto& entry : project_->integrations) {
    const config::Integration& integration = entry.second;
    if (!is_atlassian(integration) || stopping_) continue;
    store::ConnectionFilter filter;
    filter.provider_config_key = integration.key;
    auto connections = co_await blocking_->run([&] { return store_->list_connections(filter); });
    if (!connections) {
      observe::warn("Jira webhook refresh could not list the connections of {}: {}",
                    integration.key, connections.error().message);
      continue;
    }
    const TimePoint now = clock_->now();
    for (const store::Connection& connection : *connections) {
      if (stopping_) break;
      bool due = false;
      for (const JiraWebhook& webhook : jira_webhooks(connection.connection_config)) {
        due = due || needs_refresh(webhook, now);
      }
      if (!due) continue;
      const store::ConnectionKey key = connection.key();
      JiraSender send = [http, key](actions::ActionRequest request)
          -> net::awaitable<Result<actions::ActionResponse>> {
        co_return co_await http->send(key, std::move(request));
      };
      RegistrarDependencies deps{*store_, *blocking_, *clock_,
                                 jira_delivery_url(project_->server, integration.key)};
      auto refreshed = co_await refresh_jira_webhooks(deps, key, send);
      if (refreshed) {
        ++report.connections_refreshed;
      } else {
        ++report.connections_failed;
        observe::warn("[{}] [connection: {}] Jira webhook refresh failed: {}", key.provider_config_key,
                      key.connection_id, refreshed.error().message);
      }
    }
  }
  co_return report;
}

}  // namespace ferry::atlassian
