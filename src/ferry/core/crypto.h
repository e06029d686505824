#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry {

// Cryptographic helpers over OpenSSL's EVP interfaces. Every function is pure apart from
// the random ones, and thread-safe. Byte strings travel as std::string (raw bytes, not
// text). A failure inside OpenSSL that cannot be caused by the input (the CSPRNG or a
// cipher context failing) is a bug in the environment: it is reported on stderr and the
// process aborts, because carrying on with weak randomness or a half-written seal is
// worse than stopping.

// `n` bytes from OpenSSL's CSPRNG.
std::string random_bytes(std::size_t n);
// `bytes` random bytes as 2*bytes lower-case hex digits.
std::string random_hex(std::size_t bytes);
// Lower-case hex of `bytes`.
std::string hex_encode(std::string_view bytes);

// RFC 4648 §4 base64 with '=' padding.
std::string base64_encode(std::string_view bytes);
// Decodes RFC 4648 §4 base64. Padding is optional; whitespace and characters outside the
// alphabet are Errc::invalid_argument (the message never echoes the input).
Result<std::string> base64_decode(std::string_view text);
// RFC 4648 §5 base64url without padding (PKCE code challenges, RFC 7636 §4.2).
std::string base64url_encode(std::string_view bytes);
// Decodes base64url; padding optional. Errc::invalid_argument like base64_decode.
Result<std::string> base64url_decode(std::string_view text);

// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
// Raw 32-byte HMAC-SHA256 (webhook signatures).
std::string hmac_sha256(std::string_view key, std::string_view data);
// Raw 20-byte HMAC-SHA1 (OAuth 1.0a signatures, RFC 5849 §3.4.2).
std::string hmac_sha1(std::string_view key, std::string_view data);

// True when `a` and `b` hold the same bytes. The running time depends only on a.size(),
// never on where the inputs differ or on b's length: pass the untrusted value as `a`.
bool constant_time_equals(std::string_view a, std::string_view b);

// A random (version 4, RFC 9562 §5.4) UUID: "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx",
// lower-case.
std::string uuid_v4();

// AES-256-GCM with a fixed key: encrypts credentials at rest. Immutable after creation,
// so one instance may be shared by any number of threads. The key is wiped on destruction.
//
// Sealed format: 12-byte random IV || ciphertext || 16-byte tag (NIST SP 800-38D). A fresh
// IV per seal() keeps nonce reuse out of reach for far more seals than Ferry will make
// with one key. `associated_data` is authenticated but not stored: open() must be given
// the same bytes, which binds a sealed value to the row it was written for.
class Cipher {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kIvBytes = 12;
  static constexpr std::size_t kTagBytes = 16;

  // A cipher for `key_base64`, which must decode to exactly 32 bytes; otherwise
  // Errc::invalid_argument (the message never holds the key).
  static Result<Cipher> from_base64_key(std::string_view key_base64);

  Cipher(const Cipher& other) = default;
  Cipher& operator=(const Cipher& other) = default;
  ~Cipher();

  // iv || ciphertext || tag for `plaintext`. Never fails for valid input.
  std::string seal(std::string_view plaintext, std::string_view associated_data = {}) const;

  // The plaintext of a value made by seal() with the same key and associated data.
  // Errc::storage_corrupt when `sealed` is too short or fails authentication (tampered
  // bytes, another key, other associated data); never returns unauthenticated bytes.
  Result<std::string> open(std::string_view sealed, std::string_view associated_data = {}) const;

 private:
  explicit Cipher(std::string_view key);
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace ferry
