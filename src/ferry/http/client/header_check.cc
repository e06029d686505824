#include "ferry/http/client/header_check.h"

#include <string>

namespace ferry::http {
namespace {

// tchar of RFC 9110 §5.6.2.
bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

bool breaks_a_line(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A header name is shown only when it is a token: anything else could be the very bytes
// that must not reach a log line.
std::string shown_name(std::string_view name) {
  constexpr std::size_t kMaxShown = 64;
  if (!is_token(name)) return "(a name that is not a token)";
  return "\"" + std::string(name.substr(0, kMaxShown)) + (name.size() > kMaxShown ? "...\"" : "\"");
}

}  // namespace

Status check_outbound_header(const OutboundHeader& header) {
  if (!is_token(header.name)) {
    return Error{Errc::invalid_argument,
                 "an upstream request header name from " + std::string(header.source) +
                     " is not a valid header name; nothing was sent"};
  }
  if (breaks_a_line(header.value)) {
    return Error{Errc::invalid_argument, "the upstream request header " + shown_name(header.name) +
                                             " (from " + std::string(header.source) +
                                             ") holds a CR, LF or NUL byte; nothing was sent"};
  }
  return ok();
}

Status check_outbound_headers(const OutboundRequest& request) {
  for (const auto& header : request.headers) {
    if (auto checked = check_outbound_header(header); !checked) return checked;
  }
  return ok();
}

Status check_request_line(const OutboundRequest& request) {
  if (!is_token(request.method_string())) {
    return Error{Errc::invalid_argument, "the upstream request method is not a valid method"};
  }
  if (request.target.empty() || breaks_a_line(request.target) ||
      request.target.find(' ') != std::string::npos) {
    return Error{Errc::invalid_argument,
                 "the upstream request target holds a space, CR, LF or NUL byte; nothing was sent"};
  }
  if (breaks_a_line(request.host_header)) {
    return Error{Errc::invalid_argument,
                 "the upstream Host holds a CR, LF or NUL byte; nothing was sent"};
  }
  return ok();
}

}  // namespace ferry::http
