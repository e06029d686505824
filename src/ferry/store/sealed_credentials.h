#pragma once

#include <string>
#include <string_view>

#include "ferry/core/crypto.h"
#include "ferry/core/result.h"
#include "ferry/store/credentials.h"

namespace ferry::store {

// Encryption at rest, shared by every store backend. A row's credentials are stored as
// credentials_to_json() text, or, when the store has a Cipher, sealed with AES-256-GCM
// with the row id as associated data, so sealed bytes copied onto another row fail to
// open. A database written with a key carries a sealed key check in its `meta` table,
// which detects a wrong key when the store is opened. Pure functions; thread-safe.

// What a row's credentials columns hold.
struct StoredCredentials {
  std::string bytes;       // JSON text, or Cipher::seal() output when `encrypted`
  bool encrypted = false;  // the credentials_encrypted column
};

// `credentials` as they are written for row `row_id`: sealed when `cipher` is not null.
StoredCredentials store_credentials(const Credentials& credentials, const Cipher* cipher,
                                    std::string_view row_id);

// The credentials read back from a row. `where` names the row in messages ("connection u1
// of integration jira"). Errc::storage_corrupt when the row is sealed but `cipher` is null,
// when the seal fails to open (another key, another row, tampered bytes), or when the
// JSON is not credentials (see credentials_from_json).
Result<Credentials> load_credentials(std::string_view bytes, bool encrypted,
                                     const Cipher* cipher, std::string_view row_id,
                                     std::string_view where);

// The `meta` key under which the sealed key check is stored.
inline constexpr std::string_view kKeyCheckName = "encryption_key_check";

// A fresh sealed key check for `cipher`.
std::string seal_key_check(const Cipher& cipher);

// ok() when `sealed` (read from `meta`) was made by seal_key_check() with this key;
// otherwise Errc::storage_corrupt "encryption_key does not match the key this database
// was written with (<database>)". `database` names the database, never with a password.
Status verify_key_check(const Cipher& cipher, std::string_view sealed, std::string_view database);

// Errc::storage_corrupt for a database that holds sealed rows opened without a key.
Error encrypted_without_key(std::string_view database);

}  // namespace ferry::store
