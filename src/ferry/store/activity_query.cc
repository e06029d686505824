#include "ferry/store/activity_query.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "ferry/store/row_codec.h"

namespace ferry::store {
namespace {

// Appends conditions and their values, numbering placeholders in the dialect's way.
class QueryBuilder {
 public:
  explicit QueryBuilder(SqlDialect dialect) : dialect_(dialect) {}

  // A placeholder for `value`, typed for PostgreSQL (whose text-format parameters would
  // otherwise be guessed from context).
  std::string bind(SqlValue value) {
    const bool is_text = std::holds_alternative<std::string>(value);
    params_.push_back(std::move(value));
    const std::string n = std::to_string(params_.size());
    if (dialect_ == SqlDialect::sqlite) return "?" + n;
    return "$" + n + (is_text ? "::text" : "::bigint");
  }

  void where(const std::string& condition) {
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += condition;
  }

  // `column` contains `needle` (a placeholder), ignoring case, with no wildcard.
  std::string contains(std::string_view column, const std::string& needle) const {
    const std::string_view find = dialect_ == SqlDialect::sqlite ? "instr" : "strpos";
    return std::string(find) + "(lower(" + std::string(column) + "), lower(" + needle +
           ")) > 0";
  }

  std::string take_where() { return std::move(where_); }
  std::vector<SqlValue> take_params() { return std::move(params_); }

 private:
  SqlDialect dialect_;
  std::string where_;
  std::vector<SqlValue> params_;
};

// "(status = $1 OR (status >= $2 AND status < $3) OR ...)" for the classes in `bits`.
std::string status_condition(QueryBuilder& q, unsigned bits) {
  std::string any;
  for (int digit = 0; digit <= 5; ++digit) {
    if ((bits & status_class_bit(digit)) == 0) continue;
    any += any.empty() ? "(" : " OR ";
    if (digit == 0) {
      any += "status = " + q.bind(std::int64_t{0});
    } else {
      any += "(status >= " + q.bind(std::int64_t{digit} * 100) +
             " AND status < " + q.bind(std::int64_t{digit + 1} * 100) + ")";
    }
  }
  return any.empty() ? "" : any + ")";
}

}  // namespace

ActivityQuery activity_query(const ActivityFilter& filter, std::string_view columns,
                             SqlDialect dialect) {
  // PostgreSQL reserves "timestamp" as a type name; SQLite accepts the quotes too.
  constexpr std::string_view kTimestamp = "\"timestamp\"";
  QueryBuilder q(dialect);
  if (filter.id) q.where("id = " + q.bind(*filter.id));
  if (filter.connection_id) q.where("connection_id = " + q.bind(*filter.connection_id));
  if (filter.provider_config_key) {
    q.where("provider_config_key = " + q.bind(*filter.provider_config_key));
  }
  if (filter.type) q.where("type = " + q.bind(*filter.type));
  if (filter.from) q.where(std::string(kTimestamp) + " >= " + q.bind(to_millis(*filter.from)));
  if (filter.to) q.where(std::string(kTimestamp) + " < " + q.bind(to_millis(*filter.to)));
  if (filter.after_id) q.where("id > " + q.bind(*filter.after_id));
  if (std::string status = status_condition(q, filter.status_classes); !status.empty()) {
    q.where(status);
  }
  if (filter.search) {
    const std::string needle = q.bind(*filter.search);
    q.where("(" + q.contains("url", needle) + " OR " + q.contains("message", needle) + " OR " +
            q.contains("method", needle) + " OR " + q.contains("connection_id", needle) + ")");
  }
  // A tail cursor usually leaves a few rows past it: SQLite would rather walk the whole
  // timestamp index newest first looking for them, so the unary + (which keeps the index
  // from ordering) makes it take the id range and sort what it finds. PostgreSQL weighs
  // both plans with its statistics.
  const bool order_found = filter.after_id && dialect == SqlDialect::sqlite;
  std::string sql = "SELECT " + std::string(columns) + " FROM activity" + q.take_where() +
                    " ORDER BY " + (order_found ? "+" : "") + std::string(kTimestamp) +
                    " DESC, id DESC";
  if (filter.limit > 0) {
    constexpr auto kMaxLimit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    sql += " LIMIT " + q.bind(static_cast<std::int64_t>(std::min(filter.limit, kMaxLimit)));
  }
  return ActivityQuery{std::move(sql), q.take_params()};
}

}  // namespace ferry::store
