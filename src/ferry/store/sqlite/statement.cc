#include "ferry/store/sqlite/statement.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <utility>

namespace ferry::store::sqlite {
namespace {

constexpr std::chrono::milliseconds kBusyTimeout{5000};

Errc errc_for(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Errc::conflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Errc::unavailable;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_READONLY:
      return Errc::storage_corrupt;
    default:
      return Errc::internal;
  }
}

// The directory that holds `path` ("." for a bare file name).
std::string directory_of(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// False only when writing is refused by permissions or a read-only file system; other
// failures are left for SQLite to report.
bool is_writable(const std::string& path) {
  if (::access(path.c_str(), W_OK) == 0) return true;
  return errno != EACCES && errno != EROFS && errno != EPERM;
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if ((rc & 0xff) == SQLITE_READONLY) detail = "the database is read-only (" + detail + ")";
  return Error{errc_for(rc), std::string(what) + ": " + detail};
}

// ---- Statement -------------------------------------------------------------------------

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what)
    : db_(db), stmt_(stmt), what_(what) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      what_(std::move(other.what_)),
      bind_rc_(other.bind_rc_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = std::move(other.what_);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind_text(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; keep it an empty blob.
  int rc = bytes.empty()
               ? sqlite3_bind_zeroblob(stmt_, index, 0)
               : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_optional_int(int index, std::optional<std::int64_t> value) {
  return value ? bind_int(index, *value) : bind_null(index);
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) return sqlite_error(db_, bind_rc_, what_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code itself (extended result codes are on).
  return sqlite_error(db_, rc, what_);
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::move(row).error();
    if (!*row) return ok();
  }
}

void Statement::reset() {
  // sqlite3_reset repeats the last step's error, which step() already reported.
  (void)sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_bytes(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// ---- Database --------------------------------------------------------------------------

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    if (auto unwritable = unwritable_path_error(path)) return *unwritable;
    return Error{Errc::storage_corrupt,
                 "cannot open database " + path + ": " + sqlite_error(raw, rc, "open").message};
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(kBusyTimeout.count()));
  if (db.is_read_only()) {
    if (auto unwritable = unwritable_path_error(path)) return *unwritable;
    return Error{Errc::storage_corrupt, "database " + path + " is read-only"};
  }
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

// Statements are finalized by their owners first; sqlite3_close_v2 tolerates stragglers.
Database::~Database() { sqlite3_close_v2(db_); }

Status Database::exec(std::string_view sql, std::string_view what) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, sqlite3_extended_errcode(db_), what);
  return ok();
}

Result<Statement> Database::prepare(std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(db_, rc, what);
  }
  return Statement(db_, stmt, what);
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

bool Database::is_read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

std::optional<Error> unwritable_path_error(const std::string& path) {
  if (path == ":memory:") return std::nullopt;
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !is_writable(path)) {
    return Error{Errc::storage_corrupt,
                 "database file " + path + " is read-only; Ferry needs to write to it"};
  }
  const std::string dir = directory_of(path);
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{Errc::invalid_argument,
                 "directory " + dir + " of database " + path + " does not exist"};
  }
  if (!is_writable(dir)) {
    return Error{Errc::storage_corrupt,
                 "directory " + dir + " of database " + path +
                     " is read-only; SQLite needs to create its journal files there"};
  }
  return std::nullopt;
}

// ---- Transaction -----------------------------------------------------------------------

Result<Transaction> Transaction::begin(Database& db) {
  auto begun = db.exec("BEGIN IMMEDIATE", "begin transaction");
  if (!begun) return std::move(begun).error();
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  // A failed rollback leaves SQLite to roll back itself when the connection next reads.
  if (open_) (void)db_->exec("ROLLBACK", "rollback");
}

Status Transaction::commit() {
  auto committed = db_->exec("COMMIT", "commit");
  if (!committed) return committed;
  open_ = false;
  return ok();
}

}  // namespace ferry::store::sqlite
