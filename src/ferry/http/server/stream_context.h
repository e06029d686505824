#pragma once

// What a streaming route (Router::add_streaming) works with: the client connection itself.
// Heavy (Beast): include only in streaming handlers.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <map>
#include <string>

#include "ferry/http/server/router.h"
#include "ferry/http/server/server.h"

namespace ferry::http {

struct StreamContext {
  boost::beast::tcp_stream& stream;          // the client connection (on its I/O thread)
  boost::beast::flat_buffer& buffer;         // bytes read past the header
  bhttp::request_parser<bhttp::empty_body>& parser;  // header read; the body is still unread
  std::map<std::string, std::string> path_params;
  std::string rest;                          // the catch-all tail, still percent-encoded
  std::multimap<std::string, std::string> query;
  std::string remote_address;
  const ServerOptions& options;
  // The handler sets this when the connection cannot serve another request: a body left
  // unread, or a response cut short. The session then closes after this exchange.
  bool must_close = false;
  // The status of the response the handler wrote itself, for the access log.
  unsigned status_written = 0;

  // The value of request header `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const {
    const auto& fields = parser.get();
    auto it = fields.find(name);
    if (it == fields.end()) return {};
    return {it->value().data(), it->value().size()};
  }
};

}  // namespace ferry::http
