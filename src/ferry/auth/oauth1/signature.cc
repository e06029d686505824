#include "ferry/auth/oauth1/signature.h"

#include <algorithm>
#include <boost/url/parse_query.hpp>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/core/url_encoding.h"
#include "ferry/core/url_parse.h"

namespace ferry::auth::oauth1 {
namespace {

constexpr std::string_view kVersion = "1.0";

Error bad(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

// The pairs in the order their oauth_* names sort, protocol parameters first by name.
Parameters protocol_parameters(const Credentials& credentials, SignatureMethod method,
                               const ProtocolInputs& inputs) {
  Parameters out = {{"oauth_consumer_key", credentials.consumer_key},
                    {"oauth_nonce", inputs.nonce},
                    {"oauth_signature_method", std::string(signature_method_name(method))},
                    {"oauth_timestamp", std::to_string(inputs.timestamp)}};
  if (!credentials.token.empty()) out.emplace_back("oauth_token", credentials.token);
  out.emplace_back("oauth_version", std::string(kVersion));
  for (const auto& pair : inputs.extra) out.push_back(pair);
  return out;
}

}  // namespace

std::string_view signature_method_name(SignatureMethod method) {
  switch (method) {
    case SignatureMethod::hmac_sha1: return "HMAC-SHA1";
    case SignatureMethod::hmac_sha256: return "HMAC-SHA256";
    case SignatureMethod::plaintext: return "PLAINTEXT";
  }
  return "HMAC-SHA1";
}

Result<SignatureMethod> signature_method_from_name(std::string_view name) {
  for (auto method : {SignatureMethod::hmac_sha1, SignatureMethod::hmac_sha256,
                      SignatureMethod::plaintext}) {
    if (name == signature_method_name(method)) return method;
  }
  return Error{Errc::config_invalid, "unsupported OAuth 1.0a signature method \"" +
                                         std::string(name.substr(0, 40)) +
                                         "\" (expected HMAC-SHA1, HMAC-SHA256 or PLAINTEXT)"};
}

std::string oauth_encode(std::string_view text) {
  // percent_encode() keeps exactly the RFC 3986 unreserved set, which is RFC 5849's.
  return percent_encode(text);
}

Result<Parameters> parse_form(std::string_view text) {
  Parameters out;
  auto params = boost::urls::parse_query(text);
  if (!params) return bad("the parameters are not a valid form-encoded string");
  boost::urls::encoding_opts plus_is_space;
  plus_is_space.space_as_plus = true;
  for (const auto& param : *params) {
    if (param.key.empty() && !param.has_value) continue;
    out.emplace_back(param.key.decode(plus_is_space),
                     param.has_value ? param.value.decode(plus_is_space) : std::string());
  }
  return out;
}

Result<std::string> base_string_uri(std::string_view url) {
  auto parsed = parse_uri(url);  // absolute; a fragment is allowed and left out
  if (!parsed) return bad("the request URL is not an absolute URL");
  const std::string scheme = to_lower(parsed->scheme());
  if ((scheme != "http" && scheme != "https") || !parsed->has_authority() ||
      parsed->encoded_host().empty()) {
    return bad("the request URL is not an absolute http(s) URL with a host");
  }
  std::string out = scheme + "://" + to_lower(parsed->encoded_host());
  if (parsed->has_port()) {
    const std::string_view port = parsed->port();
    const bool is_default = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
    if (!is_default && !port.empty()) out += ":" + std::string(port);
  }
  const std::string_view path = parsed->encoded_path();
  out += path.empty() ? std::string_view("/") : path;
  return out;
}

std::string normalized_parameters(const Parameters& parameters) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(parameters.size());
  for (const auto& [name, value] : parameters) {
    encoded.emplace_back(oauth_encode(name), oauth_encode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

Result<std::string> signature_base_string(const SignedRequest& request,
                                          const Parameters& protocol) {
  auto uri = base_string_uri(request.url);
  if (!uri) return uri.error();
  Parameters all;
  auto parsed = parse_uri(request.url);
  if (parsed->has_query()) {
    auto query = parse_form(parsed->encoded_query());
    if (!query) return query.error();
    all = std::move(*query);
  }
  all.insert(all.end(), request.form_parameters.begin(), request.form_parameters.end());
  for (const auto& pair : protocol) {
    if (pair.first != "oauth_signature" && pair.first != "realm") all.push_back(pair);
  }
  return request.method + "&" + oauth_encode(*uri) + "&" +
         oauth_encode(normalized_parameters(all));
}

std::string sign(SignatureMethod method, std::string_view base_string,
                 const Credentials& credentials) {
  const std::string key =
      oauth_encode(credentials.consumer_secret) + "&" + oauth_encode(credentials.token_secret);
  switch (method) {
    case SignatureMethod::hmac_sha1: return base64_encode(hmac_sha1(key, base_string));
    case SignatureMethod::hmac_sha256: return base64_encode(hmac_sha256(key, base_string));
    case SignatureMethod::plaintext: return key;
  }
  return key;
}

std::string oauth_nonce() { return random_hex(16); }

Result<std::string> authorization_header(const SignedRequest& request,
                                         const Credentials& credentials, SignatureMethod method,
                                         const ProtocolInputs& inputs) {
  Parameters protocol = protocol_parameters(credentials, method, inputs);
  auto base = signature_base_string(request, protocol);
  if (!base) return base.error();
  protocol.emplace_back("oauth_signature", sign(method, *base, credentials));
  std::sort(protocol.begin(), protocol.end());
  std::string header = "OAuth ";
  for (std::size_t i = 0; i < protocol.size(); ++i) {
    if (i > 0) header += ", ";
    header += oauth_encode(protocol[i].first) + "=\"" + oauth_encode(protocol[i].second) + "\"";
  }
  return header;
}

}  // namespace ferry::auth::oauth1
