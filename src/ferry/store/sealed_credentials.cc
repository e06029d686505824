#include "ferry/store/sealed_credentials.h"

#include <utility>

#include "ferry/store/row_codec.h"

namespace ferry::store {
namespace {

// A known plaintext sealed into `meta` on the first open with a key. The associated data
// keeps it from ever being confused with a connection's credentials.
constexpr std::string_view kKeyCheckPlaintext = "ferry encryption key check v1";
constexpr std::string_view kKeyCheckAad = "meta:encryption_key_check";

}  // namespace

StoredCredentials store_credentials(const Credentials& credentials, const Cipher* cipher,
                                    std::string_view row_id) {
  std::string json = dump_json(credentials_to_json(credentials));
  if (cipher == nullptr) return {std::move(json), false};
  return {cipher->seal(json, row_id), true};
}

Result<Credentials> load_credentials(std::string_view bytes, bool encrypted,
                                     const Cipher* cipher, std::string_view row_id,
                                     std::string_view where) {
  std::string plaintext;
  if (encrypted) {
    if (cipher == nullptr) {
      return Error{Errc::storage_corrupt, "credentials of " + std::string(where) +
                                              " are encrypted but no encryption_key is set"};
    }
    auto opened = cipher->open(bytes, row_id);
    if (!opened) {
      return Error{Errc::storage_corrupt, "credentials of " + std::string(where) +
                                              " failed to decrypt: " + opened.error().message};
    }
    plaintext = std::move(*opened);
  } else {
    plaintext = std::string(bytes);
  }
  auto stored = parse_json(plaintext, "the credentials of " + std::string(where));
  if (!stored) return std::move(stored).error();
  return credentials_from_json(*stored, where);
}

std::string seal_key_check(const Cipher& cipher) {
  return cipher.seal(kKeyCheckPlaintext, kKeyCheckAad);
}

Status verify_key_check(const Cipher& cipher, std::string_view sealed, std::string_view database) {
  auto opened = cipher.open(sealed, kKeyCheckAad);
  if (opened && *opened == kKeyCheckPlaintext) return ok();
  return Error{Errc::storage_corrupt,
               "encryption_key does not match the key this database was written with (" +
                   std::string(database) + ")"};
}

Error encrypted_without_key(std::string_view database) {
  return Error{Errc::storage_corrupt,
               "database " + std::string(database) +
                   " holds encrypted credentials but no encryption_key is configured"};
}

}  // namespace ferry::store
