#include "ferry/api/routes.h"

#include "ferry/api/connections.h"
#include "ferry/api/health.h"
#include "ferry/api/integrations.h"
#include "ferry/api/logs.h"
#include "ferry/api/proxy.h"

namespace ferry::api {

void register_routes(http::Router& router, std::shared_ptr<const Services> services) {
  register_health(router);
  register_connections(router, services);
  register_integrations(router, services);
  register_logs(router, services);
  if (services->proxy) register_proxy(router, services);
}

}  // namespace ferry::api
