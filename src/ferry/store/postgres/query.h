#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Forward declaration keeps libpq-fe.h out of every header.
struct pg_result;

namespace ferry::store::pg {

// One query parameter: text, bytea or NULL. Values always travel as parameters, never
// inside the SQL text. Text goes in PostgreSQL's text format (the server converts it to
// the column's type: "42" for a bigint, "true" for a boolean); bytea goes in binary.
struct Param {
  std::optional<std::string> value;  // nullopt = NULL
  bool is_bytea = false;
};

Param text(std::string_view value);
Param integer(std::int64_t value);
Param boolean(bool value);
Param bytea(std::string_view bytes);
Param null();
Param optional_integer(std::optional<std::int64_t> value);

// The rows of one query, in binary format (PGresult, owned). Row and column indexes are
// 0-based. Not thread-safe; moved, never copied.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows an INSERT, UPDATE or DELETE changed (0 for other statements).
  std::int64_t affected() const;

  bool is_null(int row, int column) const;
  // A text or bytea column's bytes (NULL reads as empty).
  std::string bytes(int row, int column) const;
  // A smallint, integer or bigint column. The schema is Ferry's own, so another width
  // means a column of another type: it reads as 0 (NULL too).
  std::int64_t integer(int row, int column) const;
  // A boolean column (NULL reads as false).
  bool boolean(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

}  // namespace ferry::store::pg
