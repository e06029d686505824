#include "ferry/observe/secret_names.h"

#include <array>
#include <cstddef>

namespace ferry::observe {
namespace {

constexpr std::size_t kLongestName = 64;

// `name` lower-cased without '_' and '-', in `out`; false when it is too long to be a name.
bool normalise(std::string_view name, std::array<char, kLongestName>& out, std::size_t& size) {
  if (name.size() > kLongestName) return false;
  size = 0;
  for (char c : name) {
    if (c == '_' || c == '-') continue;
    out[size++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return true;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Secret wherever they appear.
constexpr std::string_view kSecretNames[] = {
    "accesstoken", "refreshtoken",  "idtoken",      "token",        "secret",
    "password",    "passwd",        "pwd",          "apikey",       "appapikey",
    "xapikey",     "apitoken",      "authtoken",    "sessiontoken", "bearertoken",
    "oauthtoken",  "oauthverifier", "codeverifier", "clientassertion", "authorization",
    "proxyauthorization", "cookie", "setcookie",    "privatekey",   "accesskey",
    "secretkey",   "signingkey",    "encryptionkey", "sessionid",
};

// Secret as a suffix of a longer name (`jira_client_secret`, `X-Goog-Api-Key`).
constexpr std::string_view kSecretSuffixes[] = {
    "secret",    "password",  "apikey",     "accesstoken", "refreshtoken", "idtoken",
    "authtoken", "apitoken",  "privatekey", "secretkey",   "accesskey",    "signingkey",
    "encryptionkey", "sessiontoken",
};

// Secret only outside JSON: in a query string, a form body, a header or a path.
constexpr std::string_view kQueryOnlyNames[] = {"key", "code", "sig", "signature", "auth"};

}  // namespace

bool is_secret_name(std::string_view name, NamePlace place) {
  std::array<char, kLongestName> buffer;
  std::size_t size = 0;
  if (name.empty() || !normalise(name, buffer, size) || size == 0) return false;
  const std::string_view normal(buffer.data(), size);
  for (auto secret : kSecretNames) {
    if (normal == secret) return true;
  }
  for (auto suffix : kSecretSuffixes) {
    if (ends_with(normal, suffix)) return true;
  }
  if (place != NamePlace::json_key) {
    for (auto secret : kQueryOnlyNames) {
      if (normal == secret) return true;
    }
  }
  return false;
}

bool is_credential_header(std::string_view name) {
  std::array<char, kLongestName> buffer;
  std::size_t size = 0;
  if (!normalise(name, buffer, size)) return false;
  const std::string_view normal(buffer.data(), size);
  return normal == "authorization" || normal == "proxyauthorization" || normal == "cookie" ||
         normal == "setcookie";
}

}  // namespace ferry::observe
