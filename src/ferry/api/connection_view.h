#pragma once

#include <nlohmann/json.hpp>

#include "ferry/store/types.h"

namespace ferry::api {

// A connection as getConnection returns it (ApiPublicConnectionFull of @nangohq/types):
// every field, credentials through auth::public_credentials().
nlohmann::json connection_full_view(const store::Connection& connection,
                                    bool include_refresh_token);

// A row of listConnections (ApiPublicConnection): no credentials; `created` not `created_at`.
nlohmann::json connection_list_view(const store::Connection& connection);

}  // namespace ferry::api
