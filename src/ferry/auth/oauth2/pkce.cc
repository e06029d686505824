#include "ferry/auth/oauth2/pkce.h"

#include "ferry/core/crypto.h"

namespace ferry::auth::oauth2 {

namespace {
// RFC 7636 §7.1: 32 octets give a 256-bit verifier, as the RFC recommends.
constexpr std::size_t kVerifierBytes = 32;
}  // namespace

std::string make_code_verifier() { return base64url_encode(random_bytes(kVerifierBytes)); }

std::string s256_code_challenge(std::string_view code_verifier) {
  return base64url_encode(sha256(code_verifier));
}

}  // namespace ferry::auth::oauth2
