#include "ferry/api/routes.h"

#include "ferry/api/actions.h"
#include "ferry/api/connect_sessions.h"
#include "ferry/api/connections.h"
#include "ferry/api/dashboard_connections.h"
#include "ferry/api/dashboard_integrations.h"
#include "ferry/api/dashboard_pages.h"
#include "ferry/api/dashboard_session_routes.h"
#include "ferry/api/frontend_sdk.h"
#include "ferry/api/health.h"
#include "ferry/api/integrations.h"
#include "ferry/api/logs.h"
#include "ferry/api/metrics.h"
#include "ferry/api/oauth.h"
#include "ferry/api/openapi.h"
#include "ferry/api/overview.h"
#include "ferry/api/proxy.h"
#include "ferry/api/incoming_webhooks.h"
#include "ferry/api/jira_webhooks.h"
#include "ferry/api/site_choice.h"
#include "ferry/api/webhook_deliveries.h"
#include "ferry/api/websocket.h"

namespace ferry::api {

void register_routes(http::Router& router, std::shared_ptr<const Services> services) {
  register_health(router);
  register_openapi(router);
  register_connections(router, services);
  register_integrations(router, services);
  register_logs(router, services);
  register_metrics(router, services);
  register_overview(router, services);
  if (services->proxy) register_proxy(router, services);
  register_actions(router, services);
  register_connect_sessions(router, services);
  register_frontend_sdk(router);
  register_dashboard_session(router, services);
  register_dashboard_integrations(router, services);
  register_dashboard_connections(router, services);
  register_webhook_deliveries(router, services);
  register_incoming_webhooks(router, services);
  register_jira_webhooks(router, services);
  register_site_choice(router, services);
  const bool websockets = services->exchange && services->websockets;
  // With a websocket endpoint on `/`, it serves the dashboard's page to plain requests.
  register_dashboard_pages(router, services, !websockets);
  if (websockets) {
    register_oauth(router, services);
    register_websocket(router, services);
  }
}

}  // namespace ferry::api
