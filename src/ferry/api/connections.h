#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// The connection endpoints (DESIGN.md §3, shapes of @nangohq/node 0.71):
//   POST   /connections                      register credentials, or override (connection_import.h)
//   GET    /connections?connectionId=&endUserId=&userId=&endUserOrganizationId=&search=
//          &integrationId=&tags[KEY]=&limit=&page=     (connection_list_query.h)
//   GET    /connections/{id}?provider_config_key=&force_refresh=&refresh_token=
//   PATCH  /connections/{id}?provider_config_key=     end user and tags (connection_patch.h)
//   DELETE /connections/{id}?provider_config_key=
//   POST   /connections/metadata             replace metadata of one or several connections
//   PATCH  /connections/metadata             merge (top-level keys) likewise
// All require the secret key.
void register_connections(http::Router& router, std::shared_ptr<const Services> services);

}  // namespace ferry::api
