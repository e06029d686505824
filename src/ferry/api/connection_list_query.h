#pragma once

#include <map>
#include <string>

#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::api {

// The query of GET /connections as @nangohq/node 0.71's listConnections sends it (both of
// its signatures), read into a store filter. Pure.
//
//   connectionId=ID              exactly this connection id
//   endUserId=ID | userId=ID     the end user's id, exactly (the same filter by two names)
//   endUserOrganizationId=ID     the end user's organization id, exactly
//   search=TEXT                  a substring of the connection id, or of the end user's
//                                email or display name, without regard to ASCII case
//   integrationId=A,B            any of these integrations
//   tags[KEY]=VALUE              every such tag (the key without regard to ASCII case)
//   limit=N (1..10000, default 100), page=P (0-based)
//
// Anything else is refused rather than ignored: a filter the server does not apply would
// hand one end user's connections to another. So are a parameter given twice, endUserId
// and userId naming different users, empty or over-long values (255 characters; 64 tags)
// and control characters. Errors are Errc::invalid_argument naming the parameter.
Result<store::ConnectionFilter> parse_connection_list_query(
    const std::multimap<std::string, std::string>& query);

}  // namespace ferry::api
