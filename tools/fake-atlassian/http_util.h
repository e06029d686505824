#pragma once

// <utility> before Asio: its coroutine headers need std::exchange.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/http/server/router.h"

namespace ferry::fake_atlassian {

// Small HTTP helpers shared by the route groups. Pure functions; thread-safe.

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view text);

// `base` with `params` appended as a query string ('?' or '&' as needed), each encoded.
std::string append_query(std::string base,
                         const std::vector<std::pair<std::string, std::string>>& params);

// The token of an "Authorization: Bearer <token>" header, or "" when there is none.
std::string bearer_token(const http::RequestContext& context);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(std::string_view text);

// An HTML page with `status`.
http::Response html_response(http::StatusCode status, const std::string& html, unsigned version);

// A handler that runs `fn` synchronously (every route of the fake but the delays).
http::Handler sync_handler(std::function<http::Response(http::RequestContext&)> fn);

// The fields of a request body: a JSON object, or application/x-www-form-urlencoded pairs
// (anything that is not JSON). Strings only; nullopt when the JSON does not parse or is not
// an object.
std::optional<std::multimap<std::string, std::string>> body_fields(const http::Request& request);

// The first value of `name` in `fields`, or "".
std::string field(const std::multimap<std::string, std::string>& fields, const std::string& name);

}  // namespace ferry::fake_atlassian
