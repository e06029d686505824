#include "jql.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"

namespace ferry::fake_atlassian {
namespace {

constexpr const char* kUnbounded =
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";

std::string unquote(std::string_view value) {
  value = trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(value);
}

std::vector<std::string> list_values(std::string_view inside) {
  std::vector<std::string> out;
  for (const auto& piece : split(inside, ',')) {
    std::string value = unquote(piece);
    if (!value.empty()) out.push_back(value);
  }
  return out;
}

// Splits on the keyword AND (any case), outside of quotes.
std::vector<std::string> split_and(std::string_view where) {
  std::vector<std::string> clauses;
  std::string current;
  char quote = 0;
  for (std::size_t i = 0; i < where.size(); ++i) {
    char c = where[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (i + 5 <= where.size() && std::isspace(static_cast<unsigned char>(c)) &&
               iequals(where.substr(i + 1, 3), "and") &&
               std::isspace(static_cast<unsigned char>(where[i + 4]))) {
      clauses.push_back(current);
      current.clear();
      i += 4;
      continue;
    }
    current += c;
  }
  clauses.push_back(current);
  return clauses;
}

Status apply_clause(JqlQuery& query, const std::string& clause) {
  static const std::regex in_clause(R"(^\s*(\w+)\s+in\s*\((.*)\)\s*$)", std::regex::icase);
  static const std::regex op_clause(R"(^\s*(\w+)\s*(!=|>=|<=|=|!~|~|>|<)\s*(.+?)\s*$)");
  std::smatch m;
  if (std::regex_match(clause, m, in_clause)) {
    const std::string name = to_lower(m[1].str());
    auto values = list_values(m[2].str());
    if (name == "project") query.projects = values;
    if (name == "key" || name == "issuekey" || name == "id") query.issues = values;
    return ok();
  }
  if (!std::regex_match(clause, m, op_clause)) {
    return Error{Errc::invalid_argument,
                 "Error in the JQL Query: Expecting operator but got the end of the clause \"" +
                     std::string(trim(clause)) + "\"."};
  }
  const std::string name = to_lower(m[1].str());
  const std::string op = m[2].str();
  const std::string value = unquote(m[3].str());
  if (op == "=" && name == "project") query.projects = {value};
  if (op == "=" && (name == "key" || name == "issuekey" || name == "id")) query.issues = {value};
  if (op == "=" && name == "status") query.status = value;
  if (op == "~" && (name == "summary" || name == "text")) query.summary_contains = to_lower(value);
  return ok();
}

std::string query_digest(std::string_view jql) { return hex_encode(sha256(jql)).substr(0, 16); }

}  // namespace

Result<JqlQuery> parse_jql(std::string_view jql) {
  std::string text(trim(jql));
  JqlQuery query;
  const std::string lower = to_lower(text);
  if (auto at = lower.find("order by"); at != std::string::npos) {
    query.descending = lower.find("desc", at) != std::string::npos;
    text = std::string(trim(std::string_view(text).substr(0, at)));
  }
  if (text.empty()) return Error{Errc::invalid_argument, kUnbounded};
  for (const auto& clause : split_and(text)) {
    if (auto applied = apply_clause(query, clause); !applied) return applied.error();
  }
  return query;
}

bool jql_matches(const JqlQuery& query, const Issue& issue) {
  auto in = [](const std::vector<std::string>& list, const std::string& value) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& v) { return iequals(v, value); });
  };
  if (!query.projects.empty() && !in(query.projects, issue.project_key)) return false;
  if (!query.issues.empty() && !in(query.issues, issue.key) && !in(query.issues, issue.id)) {
    return false;
  }
  if (!query.status.empty() && !iequals(query.status, issue.status)) return false;
  return query.summary_contains.empty() ||
         to_lower(issue.summary).find(query.summary_contains) != std::string::npos;
}

std::string make_page_token(std::size_t offset, std::string_view jql) {
  return base64url_encode("v1:" + std::to_string(offset) + ":" + query_digest(jql));
}

std::optional<std::size_t> parse_page_token(std::string_view token, std::string_view jql) {
  auto decoded = base64url_decode(token);
  if (!decoded) return std::nullopt;
  auto parts = split(*decoded, ':');
  if (parts.size() != 3 || parts[0] != "v1" || parts[2] != query_digest(jql)) return std::nullopt;
  const bool digits = std::all_of(parts[1].begin(), parts[1].end(),
                                  [](unsigned char c) { return std::isdigit(c); });
  if (parts[1].empty() || parts[1].size() > 12 || !digits) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoull(parts[1]));
}

bool FieldSelection::id_only() const {
  if (all) return false;
  return include.empty() || (include.size() == 1 && include.count("id"));
}

FieldSelection parse_fields(const std::vector<std::string>& names) {
  FieldSelection out;
  for (const auto& name : names) {
    for (const auto& piece : split(name, ',')) {
      std::string field(trim(piece));
      if (field.empty()) continue;
      if (field == "*all" || field == "*navigable") {
        out.all = true;
      } else if (field[0] == '-') {
        out.exclude.insert(field.substr(1));
      } else {
        out.include.insert(field);
      }
    }
  }
  return out;
}

}  // namespace ferry::fake_atlassian
