#pragma once

#include <string_view>

#include "ferry/core/result.h"
#include "ferry/http/client/outbound_request.h"

namespace ferry::http {

// The one sink check of every outbound request (DESIGN.md §3): a header name must be an
// RFC 9110 §5.1 token, and a value must hold no CR, LF or NUL, whatever produced it (the
// caller, a stored credential, metadata, connection_config, an action). A value that broke
// this rule would end the header early and let its rest be read as more headers or as a
// second request. Pure.
//
// Errc::invalid_argument naming the first bad header and where its value came from, never
// the value itself (it may hold a credential): "the upstream request header \"X-Site\" (from
// the integration's requests.headers, with ${metadata.site}) holds a CR, LF or NUL byte;
// nothing was sent".
Status check_outbound_header(const OutboundHeader& header);
Status check_outbound_headers(const OutboundRequest& request);

// The method and the request target go on the request line: the same rule, plus no space
// in the target.
Status check_request_line(const OutboundRequest& request);

}  // namespace ferry::http
