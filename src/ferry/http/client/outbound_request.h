#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/http/client/origin.h"
#include "ferry/http/message.h"

namespace ferry::http {

// Where the value of an outbound header came from, said in the error when the value cannot
// be sent ("the integration's requests.headers, with ${api_key}"). Points at text that
// outlives the request: a string literal, or a compiled template of the configuration.
using HeaderSource = std::string_view;

inline constexpr HeaderSource kFromCaller = "the caller's request";
inline constexpr HeaderSource kFromFerry = "Ferry itself";

// One header field of an outbound request.
struct OutboundHeader {
  std::string name;
  std::string value;
  HeaderSource source = kFromFerry;
};

// One request to an upstream, fully decided: where it goes and what it says. Every header is
// checked where it is sent (check_outbound_headers); nothing here has been trusted yet.
struct OutboundRequest {
  Origin origin;             // where to connect
  Verb method = Verb::get;
  std::string method_name;   // as the caller wrote it; used when method is Verb::unknown
  std::string target;        // origin-form: path and "?query"
  std::string host_header;   // the Host value: host, plus ":port" when not the default
  std::vector<OutboundHeader> headers;
  // Bounds connecting, writing the request and reading the response head, and then each
  // wait for a piece of the body. Zero means none (a day, for the timer's sake).
  std::chrono::steady_clock::duration timeout{};

  // The method as sent: method_name when set, else the verb's name.
  std::string_view method_string() const;
};

// GET, HEAD, OPTIONS, PUT, DELETE and TRACE (RFC 9110 §9.2.2): sending one of these twice
// has the effect of sending it once. Compared case-sensitively, as methods are.
bool is_idempotent(std::string_view method);

}  // namespace ferry::http
