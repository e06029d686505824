#include "ferry/store/open_store.h"

#include <optional>
#include <string>

#include "ferry/core/crypto.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";

bool is_postgres(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          std::string_view encryption_key_base64,
                                          std::shared_ptr<const Clock> clock) {
  // The PostgreSQL backend (libpq, advisory locks, LISTEN/NOTIFY) is not written yet;
  // say so plainly rather than failing on the URL.
  if (is_postgres(database_url)) {
    return Error{Errc::invalid_argument, "PostgreSQL support is not built yet; use sqlite://"};
  }
  if (!database_url.starts_with(kSqliteScheme)) {
    // The URL is not echoed: a mistyped postgres URL would carry a password.
    return Error{Errc::invalid_argument, "database_url must start with sqlite:// or postgresql://"};
  }
  std::string path(database_url.substr(kSqliteScheme.size()));
  if (path.empty()) {
    return Error{Errc::invalid_argument, "database_url sqlite:// names no database file"};
  }
  std::optional<Cipher> cipher;
  if (!encryption_key_base64.empty()) {
    auto made = Cipher::from_base64_key(encryption_key_base64);
    if (!made) return std::move(made).error();
    cipher = std::move(*made);
  }
  if (!clock) clock = system_clock();
  auto opened = SqliteStore::open(path, std::move(cipher), std::move(clock));
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Store>(std::move(*opened));
}

}  // namespace ferry::store
