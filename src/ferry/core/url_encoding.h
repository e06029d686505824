#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry {

// Percent-encoding, the one way Ferry writes text into a URL or a form body. Built on
// Boost.URL; pure functions, thread-safe.

// `text` with every byte but the RFC 3986 §2.3 unreserved characters (A-Z a-z 0-9 - . _ ~)
// percent-encoded, so the result is one opaque path segment, query value or form value:
// it can never add a segment, a parameter or a fragment.
std::string percent_encode(std::string_view text);

// `target` (a path, possibly with "?query") with every byte that cannot stand raw in a
// request target percent-encoded: spaces, braces, '#', controls, non-ASCII. RFC 3986
// pchars, '/', '?' and '%' are kept, so a target that is already encoded passes unchanged
// (and an invalid escape stays for the URL guard to refuse).
std::string encode_target_chars(std::string_view target);

// Appends "name=value" to `query`, both percent_encode()d, preceded by `separator` when
// `query` is not empty ("&" inside a query or form body).
void append_query_param(std::string& query, std::string_view name, std::string_view value,
                        char separator = '&');

// "a=1&b=2": every pair percent_encode()d, in order. The body of an
// application/x-www-form-urlencoded request (spaces become %20, which every form parser
// reads as a space).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ferry
