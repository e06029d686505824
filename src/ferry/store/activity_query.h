#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/store/types.h"

namespace ferry::store {

// The SQL dialects list_activity speaks.
enum class SqlDialect { sqlite, postgres };

// One value bound to a placeholder of an ActivityQuery.
using SqlValue = std::variant<std::int64_t, std::string>;

// A SELECT over the activity table and the values for its placeholders, in order
// (SQLite's ?1.. or PostgreSQL's $1..).
struct ActivityQuery {
  std::string sql;
  std::vector<SqlValue> params;
};

// The query list_activity runs for `filter`: `columns` of the matching entries, newest
// first (timestamp, then id), at most filter.limit of them. The SQL holds only fixed text
// (a condition per set field, so the planner sees which indexes apply); every value from
// the filter is a parameter. Search is a literal substring test (instr / strpos on
// lower()ed text), so no character of it is a wildcard. Pure.
ActivityQuery activity_query(const ActivityFilter& filter, std::string_view columns,
                             SqlDialect dialect);

}  // namespace ferry::store
