#include "ferry/store/postgres/query.h"

#include <libpq-fe.h>

#include <utility>

namespace ferry::store::pg {

Param text(std::string_view value) { return Param{std::string(value), false}; }
Param integer(std::int64_t value) { return Param{std::to_string(value), false}; }
Param boolean(bool value) { return Param{value ? "true" : "false", false}; }
Param bytea(std::string_view bytes) { return Param{std::string(bytes), true}; }
Param null() { return Param{std::nullopt, false}; }
Param optional_integer(std::optional<std::int64_t> value) {
  return value ? integer(*value) : null();
}

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

Rows::~Rows() { PQclear(result_); }

int Rows::size() const { return result_ == nullptr ? 0 : PQntuples(result_); }

std::int64_t Rows::affected() const {
  if (result_ == nullptr) return 0;
  const char* count = PQcmdTuples(result_);
  std::int64_t n = 0;
  for (const char* c = count; *c >= '0' && *c <= '9'; ++c) n = n * 10 + (*c - '0');
  return n;
}

bool Rows::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Rows::bytes(int row, int column) const {
  if (is_null(row, column)) return "";
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Rows::integer(int row, int column) const {
  if (is_null(row, column)) return 0;
  // Binary format: a two's-complement integer in network byte order.
  const auto* data = reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column));
  const int length = PQgetlength(result_, row, column);
  if (length != 2 && length != 4 && length != 8) return 0;
  std::uint64_t value = (data[0] & 0x80) != 0 ? ~std::uint64_t{0} : 0;  // sign extension
  for (int i = 0; i < length; ++i) value = (value << 8) | data[i];
  return static_cast<std::int64_t>(value);
}

bool Rows::boolean(int row, int column) const {
  if (is_null(row, column) || PQgetlength(result_, row, column) != 1) return false;
  return *PQgetvalue(result_, row, column) != 0;
}

}  // namespace ferry::store::pg
