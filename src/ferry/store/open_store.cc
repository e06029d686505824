#include "ferry/store/open_store.h"

#include <optional>
#include <string>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";

bool is_postgres(std::string_view url) {
  return starts_with_icase(url, "postgresql://") || starts_with_icase(url, "postgres://");
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          std::string_view encryption_key_base64,
                                          std::shared_ptr<const Clock> clock,
                                          const StoreOptions& options) {
  const bool postgres = is_postgres(database_url);
  if (!postgres && !database_url.starts_with(kSqliteScheme)) {
    // The URL is not echoed: a mistyped postgres URL would carry a password.
    return Error{Errc::invalid_argument, "database_url must start with sqlite:// or postgresql://"};
  }
  const std::string path(postgres ? "" : database_url.substr(kSqliteScheme.size()));
  if (!postgres && path.empty()) {
    return Error{Errc::invalid_argument, "database_url sqlite:// names no database file"};
  }
  std::optional<Cipher> cipher;
  if (!encryption_key_base64.empty()) {
    auto made = Cipher::from_base64_key(encryption_key_base64);
    if (!made) return std::move(made).error();
    cipher = std::move(*made);
  }
  if (!clock) clock = system_clock();
  if (postgres) {
    PostgresOptions postgres_options;
    postgres_options.pool_size = options.database_pool_size;
    auto opened =
        PostgresStore::open(database_url, postgres_options, std::move(cipher), std::move(clock));
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<Store>(std::move(*opened));
  }
  auto opened = SqliteStore::open(path, std::move(cipher), std::move(clock));
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Store>(std::move(*opened));
}

}  // namespace ferry::store
