#include "ferry/api/proxy.h"

#include "ferry/api/authorization.h"
#include "ferry/proxy/proxy_route.h"

namespace ferry::api {

void register_proxy(http::Router& router, std::shared_ptr<const Services> services) {
  auto handler = proxy::make_proxy_handler(services->proxy);
  router.add_streaming("/proxy/{*endpoint}", require_secret_key(services, std::move(handler)));
}

}  // namespace ferry::api
