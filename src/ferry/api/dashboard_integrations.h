#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// GET /dashboard/api/integrations (the secret key or a dashboard session): every integration
// as resolved from integrations.yaml and its blueprint (secrets masked), its actions, the
// OAuth callback URL, and what is wrong with the configuration the server runs (action files
// that do not compile, missing keys), each with its file:line where it has one.
void register_dashboard_integrations(http::Router& router,
                                     std::shared_ptr<const Services> services);

}  // namespace ferry::api
