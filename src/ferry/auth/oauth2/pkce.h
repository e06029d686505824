#pragma once

#include <string>
#include <string_view>

namespace ferry::auth::oauth2 {

// PKCE (RFC 7636) for the authorization-code flow. Pure apart from the randomness of
// make_code_verifier(); thread-safe.

// RFC 7636 §4.1: a fresh code_verifier, 32 random bytes as base64url without padding
// (43 characters from the unreserved set, the length the RFC recommends).
std::string make_code_verifier();

// RFC 7636 §4.2, method S256: BASE64URL(SHA256(ASCII(code_verifier))), without padding.
std::string s256_code_challenge(std::string_view code_verifier);

}  // namespace ferry::auth::oauth2
