#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

// Forward declarations keep sqlite3.h out of every header.
struct sqlite3;
struct sqlite3_stmt;

namespace ferry::store::sqlite {

// RAII over the sqlite3 C API. None of these classes lock: their owner serializes access
// (SqliteStore holds one mutex around its connection).

// The Error for SQLite result code `rc` on `db` during `what` ("insert connection").
// Unique/primary-key violations become Errc::conflict, "file is not a database" and
// corruption Errc::storage_corrupt, read-only databases Errc::storage_corrupt naming
// "read-only", a lock held past the busy timeout Errc::unavailable, the rest
// Errc::internal.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// Why `path` cannot be used as a read-write database, if the file system says so:
// Errc::storage_corrupt naming the path and "read-only" when the file exists but cannot be
// written, or its directory cannot be (SQLite creates -wal/-shm files there);
// Errc::invalid_argument when the directory does not exist. nullopt otherwise, and for
// ":memory:".
std::optional<Error> unwritable_path_error(const std::string& path);

// A prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binders copy their argument (SQLITE_TRANSIENT). A bind failure (index out of range)
  // is reported by the next step().
  Statement& bind_text(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_int(int index, std::int64_t value);
  Statement& bind_null(int index);
  Statement& bind_optional_int(int index, std::optional<std::int64_t> value);

  // Advances: true when a row is available, false when done; an Error otherwise.
  Result<bool> step();
  // Steps to completion, ignoring rows: for INSERT/UPDATE/DELETE.
  Status run();
  // Makes the statement ready to run again, with every parameter unbound (NULL).
  void reset();

  bool column_is_null(int index) const;
  std::int64_t column_int(int index) const;
  // TEXT or BLOB column bytes (NULL reads as empty).
  std::string column_bytes(int index) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;  // names the operation in error messages
  int bind_rc_ = 0;   // first bind failure, SQLITE_OK (0) when none
};

// One open database connection.
class Database {
 public:
  // Opens (creating if missing) the database at `path` read-write; ":memory:" opens a
  // private in-memory database. Sets extended result codes and a 5 s busy timeout.
  // Errors name `path` and say "read-only" when the file or its directory cannot be
  // written.
  static Result<Database> open(const std::string& path);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Runs one or more SQL statements without parameters or results.
  Status exec(std::string_view sql, std::string_view what);
  // Compiles `sql`; `what` names the operation in later error messages.
  Result<Statement> prepare(std::string_view sql, std::string_view what);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  // True when SQLite opened the main database read-only (file permissions).
  bool is_read_only() const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A BEGIN IMMEDIATE transaction: takes the write lock up front, so two writers never
// deadlock upgrading read locks. Rolls back on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
  bool open_ = true;
};

}  // namespace ferry::store::sqlite
