#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The configuration endpoints (shapes of @nangohq/node 0.71), all behind the secret key:
//   GET /integrations            {data: [ApiPublicIntegration]}
//   GET /integrations/{key}      {data: ApiPublicIntegration + "config": the resolved
//                                 integration}; ?include=credentials adds client id and
//                                 scopes, never the client secret
//   GET /providers[?search=&category=]  {data: [ApiProvider]} — the blueprint catalog, or the
//                                 blueprints whose name, description, categories or auth
//                                 mode hold every word of `search`, of one category (400
//                                 naming the categories when it is unknown)
//   GET /providers/{name}        {data: ApiProvider + "versions"}
void register_integrations(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
