#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// ANY /proxy/{endpoint} behind the secret key (proxy/proxy_route.h does the work).
void register_proxy(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
