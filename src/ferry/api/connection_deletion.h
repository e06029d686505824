#pragma once

// DELETE /connections/{id}?provider_config_key=: deletes the Jira webhooks Ferry registered
// for the connection at Jira ({"jira_webhooks": {"deleted": bool, "error"?}} in the answer;
// a failure does not stop the deletion), revokes the connection's tokens at the
// provider first when its integration names a revocation endpoint (RFC 7009), then deletes
// it, with its connection.deleted event in the same transaction. A revocation that fails is
// logged (activity type "revocation") and reported in the answer, and the deletion still
// happens: {"success": true, "revocation": {"revoked": bool, "error"?: "..."}}; without an
// endpoint, {"success": true}.
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"
#include "ferry/store/types.h"

namespace ferry::api {

boost::asio::awaitable<http::Response> delete_connection(std::shared_ptr<const Services> services,
                                                         http::RequestContext& ctx,
                                                         store::ConnectionKey key);

}  // namespace ferry::api
