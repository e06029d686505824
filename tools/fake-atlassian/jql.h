#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"
#include "site_data.h"

namespace ferry::fake_atlassian {

// The subset of JQL the fake understands: clauses joined by AND, of
// `project = K` / `project in (K1, K2)`, `key|issuekey|id = X` / `in (...)`,
// `summary|text ~ "words"`, `status = "Name"`, then an optional ORDER BY (DESC flips the
// order). Clauses on other fields are accepted and bound the query without filtering.
struct JqlQuery {
  std::vector<std::string> projects;  // keys; empty = any
  std::vector<std::string> issues;    // keys or ids; empty = any
  std::string summary_contains;       // lower-case; empty = any
  std::string status;                 // empty = any
  bool descending = false;
};

// Parses `jql`. Errc::invalid_argument with Jira's message for an unbounded query (no
// clause before ORDER BY, or empty) and for a clause without a recognisable operator.
Result<JqlQuery> parse_jql(std::string_view jql);

// True when `issue` satisfies every clause of `query`.
bool jql_matches(const JqlQuery& query, const Issue& issue);

// An opaque nextPageToken for the page starting at `offset` of the search `jql`, and back:
// nullopt when `token` is malformed or was made for another query.
std::string make_page_token(std::size_t offset, std::string_view jql);
std::optional<std::size_t> parse_page_token(std::string_view token, std::string_view jql);

// Which issue fields a response carries ("fields" parameter of issue and search calls).
struct FieldSelection {
  bool all = false;               // *all or *navigable
  std::set<std::string> include;  // named fields
  std::set<std::string> exclude;  // "-name"
  // Only the issue id: search/jql's default [§4.4].
  bool id_only() const;
};

// A selection from the names of a "fields" parameter (comma-separated pieces allowed).
FieldSelection parse_fields(const std::vector<std::string>& names);

}  // namespace ferry::fake_atlassian
