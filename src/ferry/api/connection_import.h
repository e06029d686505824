#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// POST /connections (@nangohq/node's importConnection / createConnection): registers a
// connection with the credentials given, as Nango's PostPublicConnection does.
//
// Body: {provider_config_key, connection_id?, credentials, connection_config?, metadata?,
// end_user?: {id, email?, display_name?, tags?}, tags?: {name: string}}; any other field is
// refused (webhook_url_override too: Ferry has no per-connection webhook URL).
//
// A new connection answers 201 and emits connection.created. An existing one (same
// integration and id) is overridden, as Nango does, and answers 200: its credentials are
// replaced, the connection_config given is merged over the stored one, metadata is kept
// unless the body sets it, end_user and tags are replaced when given, its errors are cleared
// and connection.overridden is emitted (the webhook's operation "override"). Either way the
// answer is the connection as getConnection shows it.
http::Response import_connection(const Services& services, http::RequestContext& ctx);

}  // namespace ferry::api
