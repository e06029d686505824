#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"
#include "ferry/http/message.h"

namespace ferry::http {

// What a handler sees of one request: the request itself (body already read, within the
// server's size limit), the path parameters of its route and the decoded query.
struct RequestContext {
  Request& request;
  std::map<std::string, std::string> path_params;  // percent-decoded
  std::string rest;                                // catch-all tail, still percent-encoded
  std::multimap<std::string, std::string> query;   // percent-decoded
  std::string remote_address;

  // The first value of query parameter `name`, or nullptr.
  const std::string* query_param(std::string_view name) const;
  // The value of header `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

// A route's work: suspend as needed, then produce the response. Exceptions that escape are
// turned into a 500 by the session (and logged); handlers should return errors instead.
using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

// A check of the request header that runs before the body is read (typically the API key):
// a refused request never gets its body read, so an unauthenticated client cannot make the
// server buffer max_body_bytes. ok() lets the request through; an error is the response.
using HeaderGuard = std::function<Status(const bhttp::request_header<>&)>;

// A handler with the guard that must pass before its body is read.
struct GuardedHandler {
  HeaderGuard guard;
  Handler handler;
};

struct StreamContext;  // http/server/stream_context.h

// A route that handles the connection itself: it is called after the request header was
// read, reads the body (or not) and either writes the response itself (returning nullopt) or
// returns one for the session to write. Used by the proxy, whose bodies stream.
using StreamHandler =
    std::function<boost::asio::awaitable<std::optional<Response>>(StreamContext&)>;

// Maps (method, path) to a handler. Patterns are literal segments, `{name}` (one segment)
// and a final `{*name}` (the rest of the path, possibly empty). Built once at start, then
// read concurrently by every session: not thread-safe to modify while serving.
class Router {
 public:
  // Adds a route. REQUIRES: `pattern` starts with '/'.
  void add(Verb method, std::string pattern, Handler handler);
  // Adds a route whose guard runs on the header before the body is read.
  void add(Verb method, std::string pattern, GuardedHandler guarded);
  // Adds a streaming route for every method.
  void add_streaming(std::string pattern, StreamHandler handler);

  enum class Outcome { matched, not_found, method_not_allowed };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const Handler* handler = nullptr;
    const HeaderGuard* guard = nullptr;             // set when the route has one
    const StreamHandler* stream_handler = nullptr;  // set instead of handler for streaming routes
    std::map<std::string, std::string> path_params;
    std::string rest;
    std::vector<Verb> allowed;  // for method_not_allowed: the methods the path supports
  };

  // One registered route, as it was added: its method (nullopt for a streaming route, which
  // takes every method) and its pattern.
  struct RouteInfo {
    std::optional<Verb> method;
    std::string pattern;
  };
  // Every route in the order it was added (what the API description must cover).
  std::vector<RouteInfo> routes() const;

  // Finds the route for `method` and the request target's path (`target` may include a
  // query string, which is ignored here). Literal routes win over parameterised ones
  // because routes are tried in the order they were added.
  Match match(Verb method, std::string_view target) const;

 private:
  struct Route {
    std::optional<Verb> method;  // nullopt: every method
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    StreamHandler stream_handler;
    HeaderGuard guard;
  };
  std::vector<Route> routes_;
};

// Splits a request target into its decoded query parameters. Malformed encodings are kept
// as they are rather than rejected (a handler decides what it needs).
std::multimap<std::string, std::string> parse_query(std::string_view target);

}  // namespace ferry::http
