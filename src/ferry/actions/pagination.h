#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/actions/action_http.h"
#include "ferry/core/result.h"

namespace ferry::actions {

// How nango:paginate{...} walks pages. Pure logic: no Lua, no I/O.
enum class PaginationType { cursor, link, offset };

// The `paginate` table of nango:paginate{...}, with Nango's option names. Dot paths
// ("_links.next") address nested JSON fields.
struct PaginateOptions {
  PaginationType type = PaginationType::cursor;
  std::string response_path;  // where the page's records are; empty = the body is the array
  std::string limit_name_in_request;  // e.g. "maxResults", "limit"
  std::optional<std::int64_t> limit;
  std::string is_last_path;  // e.g. "isLast": a true value there ends the walk
  // cursor
  std::string cursor_path_in_response;  // e.g. "nextPageToken"
  std::string cursor_name_in_request;   // e.g. "nextPageToken"
  // offset
  std::string offset_name_in_request;  // e.g. "startAt"
  std::int64_t offset_start_value = 0;
  bool offset_per_page = false;  // "per-page": +1 per page; default "by-response-size"
  std::string total_path;        // e.g. "total": the walk ends when the offset reaches it
  // link
  std::string link_rel_in_response_header = "next";
  std::string link_path_in_response_body;  // e.g. "_links.next"
  std::string link_prefix;  // put before next links that start with '/' (site-relative links)
};

// Reads the `paginate` table. `type` is "cursor", "link", "offset" or a preset:
//   "next_page_token": cursor on nextPageToken, limit as maxResults, stop on isLast,
//                      records in "issues" (Jira's /rest/api/3/search/jql);
//   "jira_start_at":   offset on startAt with maxResults, stop on isLast or total,
//                      records in "values".
// Options given next to a preset override it. Errc::invalid_argument naming the problem
// (unknown type or option, a wrongly typed value, a missing required option).
Result<PaginateOptions> parse_paginate_options(const nlohmann::json& spec);

// A next-page URL turned into a proxy endpoint and its query parameters (decoded).
struct NextLink {
  std::string endpoint;
  std::vector<std::pair<std::string, std::string>> params;
};

// Resolves `link` (from a Link header or a body field) against the current page:
//   - absolute "https://host/base/x?y": must have the scheme, host and port of `base_url`
//     and a path below its path; the endpoint is the path after the base path;
//   - "/x?y": site-relative; `prefix` is put before it unless it already starts with it;
//   - "x?y", "?y": relative to `current_endpoint`, as a browser would resolve it.
// Errc::invalid_argument when the link cannot be parsed, is protocol-relative ("//host"),
// or leaves the base URL. The endpoint still goes through the proxy's guard afterwards.
Result<NextLink> resolve_next_link(std::string_view link, std::string_view current_endpoint,
                                   std::string_view base_url, std::string_view prefix);

// The URL of the first `rel` entry of a Link header value (RFC 8288), or nullopt.
std::optional<std::string> find_link(std::string_view header, std::string_view rel);

// The value at `path` ("a.b.c") of `body`, or nullptr when absent.
const nlohmann::json* find_path(const nlohmann::json& body, std::string_view path);

// Walks the pages of one paginated request. Holds no connection: the caller sends each
// request and hands back the response. One per nango:paginate{...} call; not thread-safe.
class Paginator {
 public:
  // `first` is the request as written (endpoint, params, headers, body); `base_url` is the
  // integration's base URL, for absolute next links.
  Paginator(ActionRequest first, PaginateOptions options, std::string base_url);

  // The request for the next page, or nullopt when the walk is over.
  std::optional<ActionRequest> next_request() const;

  // Takes the answer to next_request(): returns the page's records (a JSON array) and
  // decides the next page. `body` is the response body parsed as JSON (discarded when it
  // was not JSON). Errc::invalid_argument when the status is not 2xx, the body is not
  // JSON, the records are not an array, or the next link is unusable. After an error the
  // walk is over.
  Result<nlohmann::json> take_response(const ActionResponse& response,
                                       const nlohmann::json& body);

 private:
  Result<nlohmann::json> records_of(const nlohmann::json& body) const;
  Status advance(const ActionResponse& response, const nlohmann::json& body,
                 std::size_t record_count);
  Status advance_link(const ActionResponse& response, const nlohmann::json& body);

  ActionRequest request_;  // the next page's request
  PaginateOptions options_;
  std::string base_url_;
  std::int64_t offset_ = 0;
  std::string cursor_;
  bool done_ = false;
};

}  // namespace ferry::actions
