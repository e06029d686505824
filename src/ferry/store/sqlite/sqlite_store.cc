#include "ferry/store/sqlite/sqlite_store.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "ferry/core/private_file.h"
#include "ferry/store/migrations/migration.h"
#include "ferry/store/sealed_credentials.h"
#include "ferry/store/sqlite/migrate.h"

namespace ferry::store {
namespace {

using sqlite::Database;
using sqlite::Transaction;

// `e` from an open-time step, made to name the database file. A failure caused by
// missing write permission (or a missing directory) is reported as such, whatever SQLite
// called it.
Error at_path(const std::string& path, Error e) {
  if (e.code == Errc::storage_corrupt || e.code == Errc::internal) {
    if (auto unwritable = sqlite::unwritable_path_error(path)) return *unwritable;
  }
  if (e.message.find("file is not a database") != std::string::npos) {
    return Error{Errc::storage_corrupt,
                 path + " is not a SQLite database (file is not a database)"};
  }
  return Error{e.code, "database " + path + ": " + e.message};
}

// Reads the first column of the first row of `sql`, if there is a row.
Result<std::optional<std::string>> query_text(Database& db, std::string_view sql,
                                              std::string_view what) {
  auto stmt = db.prepare(sql, what);
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_bytes(0));
}

}  // namespace

SqliteStore::SqliteStore(Database db, std::optional<Cipher> cipher,
                         std::shared_ptr<const Clock> clock)
    : db_(std::move(db)), cipher_(std::move(cipher)), clock_(std::move(clock)) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       std::optional<Cipher> cipher,
                                                       std::shared_ptr<const Clock> clock) {
  const bool on_disk = path != ":memory:" && !path.starts_with("file:");
  // The database holds tokens: created 0600 before SQLite opens it (SQLite gives its WAL
  // and shared-memory files the database file's mode). A failure here is left to
  // Database::open, whose message says why the path is unusable.
  std::error_code ignored;
  if (on_disk && !std::filesystem::exists(path, ignored)) (void)make_private_file(path);
  auto db = Database::open(path);
  if (!db) return std::move(db).error();
  if (!clock) clock = system_clock();
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(std::move(*db), std::move(cipher), std::move(clock)));
  if (auto configured = store->configure(); !configured) {
    return at_path(path, std::move(configured).error());
  }
  if (on_disk) {
    // An existing database (or files left by an older version) may be readable by others;
    // checked once it is known to be a database, so another file is left as it was.
    for (const char* suffix : {"", "-wal", "-shm"}) {
      if (auto narrowed = narrow_if_present(path + suffix); !narrowed) {
        return std::move(narrowed).error();
      }
    }
  }
  if (auto migrated = sqlite::migrate(store->db_, sqlite_migrations()); !migrated) {
    return at_path(path, std::move(migrated).error());
  }
  if (auto checked = store->check_encryption_key(); !checked) return std::move(checked).error();
  return store;
}

Status SqliteStore::configure() {
  // Reading the schema first turns "not a database" into one clear error before any
  // pragma tries to write.
  auto probe = query_text(db_, "SELECT count(*) FROM sqlite_master", "read schema");
  if (!probe) return std::move(probe).error();
  auto mode = query_text(db_, "PRAGMA journal_mode = WAL", "enable WAL");
  if (!mode) return std::move(mode).error();
  // An in-memory database has no WAL; it reports "memory".
  if (*mode != "wal" && *mode != "memory") {
    return Error{Errc::internal,
                 "cannot enable WAL journal mode (SQLite kept " + mode->value_or("none") + ")"};
  }
  return db_.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "set pragmas");
}

Status SqliteStore::check_encryption_key() {
  const std::string& path = db_.path();
  if (!cipher_) {
    auto sealed = query_text(db_, "SELECT count(*) FROM connections WHERE credentials_encrypted",
                             "count encrypted rows");
    if (!sealed) return at_path(path, std::move(sealed).error());
    if (sealed->value_or("0") != "0") return encrypted_without_key(path);
    return ok();
  }
  // Read and, on first use, write the check in one transaction, so two processes
  // opening a fresh file with different keys cannot both succeed.
  auto tx = Transaction::begin(db_);
  if (!tx) return at_path(path, std::move(tx).error());
  const std::string read_check =
      "SELECT value FROM meta WHERE key = '" + std::string(kKeyCheckName) + "'";
  auto stored = query_text(db_, read_check, "read encryption key check");
  if (!stored) return at_path(path, std::move(stored).error());
  if (*stored) {
    if (auto verified = verify_key_check(*cipher_, **stored, path); !verified) return verified;
    return tx->commit();
  }
  auto insert =
      db_.prepare("INSERT INTO meta (key, value) VALUES (?, ?)", "write encryption key check");
  if (!insert) return at_path(path, std::move(insert).error());
  auto written = insert->bind_text(1, kKeyCheckName)
                     .bind_blob(2, seal_key_check(*cipher_))
                     .run();
  if (!written) return at_path(path, std::move(written).error());
  return tx->commit();
}

Result<std::unique_ptr<RefreshClaim>> SqliteStore::try_claim_refresh(const ConnectionKey& key) {
  return refresh_claims_.try_claim(key);
}

Result<std::unique_ptr<Peers>> SqliteStore::join_peers(PeerHandlers /*handlers*/) {
  return std::unique_ptr<Peers>();
}

}  // namespace ferry::store
