#include "ferry/core/url_parse.h"

#include <boost/url/grammar/error.hpp>
#include <boost/url/parse.hpp>
#include <cstring>

namespace ferry {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 §3.3 pchar, one raw byte: unreserved, sub-delims, ':' or '@'.
bool is_pchar(char c) {
  return is_alpha(c) || is_digit(c) || (c != '\0' && std::strchr("-._~!$&'()*+,;=:@", c));
}

// "scheme:" followed by exactly one character that is neither '/' nor a pchar: the input
// Boost.URL 1.81 miscounts (see url_parse.h).
bool trips_boost_assertion(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return false;
  std::size_t i = 1;
  while (i < text.size() && (is_alpha(text[i]) || is_digit(text[i]) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.')) {
    ++i;
  }
  if (i >= text.size() || text[i] != ':') return false;  // RFC 3986 §3.1: no scheme
  return text.size() == i + 2 && text[i + 1] != '/' && !is_pchar(text[i + 1]);
}

boost::system::error_code refused() { return boost::urls::grammar::error::invalid; }

}  // namespace

boost::system::result<boost::urls::url_view> parse_uri(std::string_view text) {
  if (trips_boost_assertion(text)) return refused();
  return boost::urls::parse_uri(text);
}

boost::system::result<boost::urls::url_view> parse_absolute_uri(std::string_view text) {
  if (trips_boost_assertion(text)) return refused();
  return boost::urls::parse_absolute_uri(text);
}

boost::system::result<boost::urls::url_view> parse_uri_reference(std::string_view text) {
  if (trips_boost_assertion(text)) return refused();
  return boost::urls::parse_uri_reference(text);
}

}  // namespace ferry
