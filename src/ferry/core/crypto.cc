#include "ferry/core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace ferry {
namespace {

// See the header: an OpenSSL failure that no input can cause ends the process.
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fatal: OpenSSL failed in %s\n", what);
  std::abort();
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) die("EVP_CIPHER_CTX_new");
  return ctx;
}

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool in_std_alphabet(char c) { return kStdAlphabet.find(c) != std::string_view::npos; }

// `text` (standard alphabet) made canonical for EVP_DecodeBlock: padding completed, every
// character checked, since OpenSSL itself skips whitespace and accepts some oddities.
Result<std::string> canonical_base64(std::string_view text) {
  std::size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  for (char c : text) {
    if (!in_std_alphabet(c)) return Error{Errc::invalid_argument, "invalid base64 character"};
  }
  if (text.size() % 4 == 1) return Error{Errc::invalid_argument, "invalid base64 length"};
  std::string padded(text);
  while (padded.size() % 4 != 0) padded.push_back('=');
  if (padding > 0 && padded.size() - text.size() != padding) {
    return Error{Errc::invalid_argument, "invalid base64 padding"};
  }
  return padded;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  // An empty key still needs a valid pointer.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_bytes = key.empty() ? &kEmpty : bytes_of(key);
  if (HMAC(md, key_bytes, static_cast<int>(key.size()), bytes_of(data), data.size(), bytes_of(out),
           &len) == nullptr) {
    die("HMAC");
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(bytes_of(out), static_cast<int>(n)) != 1) die("RAND_bytes");
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

std::string random_hex(std::size_t bytes) { return hex_encode(random_bytes(bytes)); }

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(bytes_of(out), bytes_of(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  auto padded = canonical_base64(text);
  if (!padded) return std::move(padded).error();
  const std::string& in = *padded;
  std::string out(in.size() / 4 * 3, '\0');
  int len = EVP_DecodeBlock(bytes_of(out), bytes_of(in), static_cast<int>(in.size()));
  if (len < 0) return Error{Errc::invalid_argument, "invalid base64"};
  // EVP_DecodeBlock counts the bytes that padding stands for; drop them.
  std::size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(len) - pad);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string std_text(text);
  for (char& c : std_text) {
    if (c == '+' || c == '/') return Error{Errc::invalid_argument, "invalid base64url character"};
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return base64_decode(std_text);
}

std::string sha256(std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), bytes_of(out), &len, EVP_sha256(), nullptr) != 1) {
    die("EVP_Digest");
  }
  out.resize(len);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  return hmac(EVP_sha1(), key, data);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  const bool same_size = a.size() == b.size();
  // On a length mismatch compare `a` with itself, so the work done is the same.
  const char* other = same_size ? b.data() : a.data();
  const bool same_bytes = a.empty() || CRYPTO_memcmp(a.data(), other, a.size()) == 0;
  return same_size & same_bytes;
}

std::string uuid_v4() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3f) | 0x80);  // RFC variant
  std::string hex = hex_encode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<Cipher> Cipher::from_base64_key(std::string_view key_base64) {
  auto key = base64_decode(key_base64);
  if (!key) return Error{Errc::invalid_argument, "encryption_key is not valid base64"};
  if (key->size() != kKeyBytes) {
    std::string got = std::to_string(key->size());
    OPENSSL_cleanse(key->data(), key->size());
    return Error{Errc::invalid_argument,
                 "encryption_key must decode to exactly 32 bytes (it decodes to " + got + ")"};
  }
  Cipher cipher(*key);
  OPENSSL_cleanse(key->data(), key->size());
  return cipher;
}

Cipher::Cipher(std::string_view key) { std::copy(key.begin(), key.end(), key_.begin()); }

Cipher::~Cipher() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string Cipher::seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out = random_bytes(kIvBytes);
  out.resize(kIvBytes + plaintext.size() + kTagBytes);
  unsigned char* iv = bytes_of(out);
  unsigned char* body = iv + kIvBytes;
  CipherCtx ctx = new_ctx();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), iv) != 1) {
    die("EVP_EncryptInit_ex");
  }
  if (!associated_data.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1) {
    die("EVP_EncryptUpdate(aad)");
  }
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), body, &len, bytes_of(plaintext),
                                              static_cast<int>(plaintext.size())) != 1) {
    die("EVP_EncryptUpdate");
  }
  // GCM is a stream mode: Final writes no bytes, it only completes the tag.
  if (EVP_EncryptFinal_ex(ctx.get(), body + plaintext.size(), &len) != 1) {
    die("EVP_EncryptFinal_ex");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          body + plaintext.size()) != 1) {
    die("EVP_CTRL_GCM_GET_TAG");
  }
  return out;
}

Result<std::string> Cipher::open(std::string_view sealed, std::string_view associated_data) const {
  if (sealed.size() < kIvBytes + kTagBytes) {
    return Error{Errc::storage_corrupt, "sealed value is too short to be valid"};
  }
  const unsigned char* iv = bytes_of(sealed);
  const std::size_t body_size = sealed.size() - kIvBytes - kTagBytes;
  const unsigned char* body = iv + kIvBytes;
  std::string tag(sealed.substr(kIvBytes + body_size));
  std::string plain(body_size, '\0');
  CipherCtx ctx = new_ctx();
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), iv) != 1) {
    die("EVP_DecryptInit_ex");
  }
  if (!associated_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1) {
    die("EVP_DecryptUpdate(aad)");
  }
  if (body_size > 0 &&
      EVP_DecryptUpdate(ctx.get(), bytes_of(plain), &len, body, static_cast<int>(body_size)) != 1) {
    die("EVP_DecryptUpdate");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          bytes_of(tag)) != 1) {
    die("EVP_CTRL_GCM_SET_TAG");
  }
  // Only Final checks the tag; until it succeeds `plain` must not leave this function.
  if (EVP_DecryptFinal_ex(ctx.get(), bytes_of(plain) + body_size, &len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Error{Errc::storage_corrupt,
                 "sealed value failed authentication (tampered, or sealed with another key)"};
  }
  return plain;
}

}  // namespace ferry
