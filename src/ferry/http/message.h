#pragma once

// Beast message types shared by the server, the router's handlers and the API. Include this
// (not Beast directly) so the heavy Asio headers stay in the .cc files that need them.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace ferry::http {

namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using StatusCode = bhttp::status;
using Verb = bhttp::verb;

}  // namespace ferry::http
