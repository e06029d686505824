#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::auth::oauth1 {

// OAuth 1.0a request signing (RFC 5849 §3). Pure functions apart from oauth_nonce(); all
// thread-safe. Secrets never appear in an error message.

enum class SignatureMethod { hmac_sha1, hmac_sha256, plaintext };

// "HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT" (the oauth_signature_method values).
std::string_view signature_method_name(SignatureMethod method);
// The method named `name` (as above); Errc::config_invalid naming the supported ones.
Result<SignatureMethod> signature_method_from_name(std::string_view name);

using Parameters = std::vector<std::pair<std::string, std::string>>;

// RFC 5849 §3.6: every byte but the unreserved characters (ALPHA, DIGIT, '-', '.', '_',
// '~') as %XX with upper-case hex.
std::string oauth_encode(std::string_view text);

// The name/value pairs of an application/x-www-form-urlencoded string ("a=1&b=%3D+x"),
// decoded: '+' is a space, %XX a byte (RFC 5849 §3.4.1.3.1). A pair without '=' has an
// empty value; empty pairs ("a=1&&b=2") are skipped. Errc::invalid_argument on a
// malformed escape.
Result<Parameters> parse_form(std::string_view text);

// What one signed request is: its method, absolute URL (query included) and, when its body
// is application/x-www-form-urlencoded, the body's parameters (decoded).
struct SignedRequest {
  std::string method;  // upper-case: "GET", "POST"
  std::string url;     // absolute http(s) URL
  Parameters form_parameters;
};

// The client's and, once there is one, the token's credentials (RFC 5849 §1.1).
struct Credentials {
  std::string consumer_key;
  std::string consumer_secret;
  std::string token;         // empty for the temporary-credentials request
  std::string token_secret;  // empty with it
};

// RFC 5849 §3.4.1.2: scheme and host lower-case, the port only when not the scheme's
// default, the path as sent ("/" when empty), no query or fragment. Errc::invalid_argument
// when `url` is not an absolute http(s) URL with a host.
Result<std::string> base_string_uri(std::string_view url);

// RFC 5849 §3.4.1.3.2: every pair encoded with oauth_encode(), sorted by name then value
// (byte order), joined as name=value with '&'.
std::string normalized_parameters(const Parameters& parameters);

// RFC 5849 §3.4.1: METHOD&encode(base string URI)&encode(normalized parameters), where
// the parameters are the URL's query, `request.form_parameters` and `protocol` (the
// oauth_* parameters; oauth_signature and realm are left out). Errc::invalid_argument as
// for base_string_uri() or parse_form() of the query.
Result<std::string> signature_base_string(const SignedRequest& request,
                                          const Parameters& protocol);

// RFC 5849 §3.4.2-3.4.4: the signature of `base_string` with the key
// encode(consumer_secret)&encode(token_secret): base64 HMAC-SHA1 or HMAC-SHA256, or the key
// itself for PLAINTEXT (which signs nothing and is only safe over TLS).
std::string sign(SignatureMethod method, std::string_view base_string,
                 const Credentials& credentials);

// The oauth_* parameters one request carries, before its signature.
struct ProtocolInputs {
  std::string nonce;      // oauth_nonce(); fixed only in tests
  long long timestamp = 0;  // seconds since the epoch
  // oauth_callback (temporary credentials) or oauth_verifier (token request), in order.
  Parameters extra;
};

// A fresh oauth_nonce: 16 random bytes as hex.
std::string oauth_nonce();

// The value of the Authorization header of `request` (RFC 5849 §3.5.1):
// `OAuth oauth_consumer_key="…", oauth_nonce="…", oauth_signature="…",
// oauth_signature_method="…", oauth_timestamp="…", oauth_token="…" (when there is one),
// oauth_version="1.0"` plus `inputs.extra`, every value oauth_encode()d. Errc::invalid_argument
// as for signature_base_string().
Result<std::string> authorization_header(const SignedRequest& request,
                                         const Credentials& credentials, SignatureMethod method,
                                         const ProtocolInputs& inputs);

}  // namespace ferry::auth::oauth1
