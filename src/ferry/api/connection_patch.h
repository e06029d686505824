#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// PATCH /connections/{id}?provider_config_key= (@nangohq/node's patchConnection, Nango's
// PatchConnection): body {end_user?: {id, email?, display_name?, tags?}, tags?: {name:
// string}}, at least one of them; webhook_url_override is refused (Ferry has no
// per-connection webhook URL), as is any other field.
//
// end_user replaces the connection's end user (its organization is kept: the body cannot
// name one) and the reserved end-user tags with the new user's; tags replace the tags.
// Answers {"success": true}; 404 for an unknown connection.
http::Response patch_connection(const Services& services, http::RequestContext& ctx);

}  // namespace ferry::api
