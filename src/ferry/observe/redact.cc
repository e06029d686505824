#include "ferry/observe/redact.h"

#include <cctype>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <unordered_set>

namespace ferry::observe {
namespace {

struct SecretSet {
  std::shared_mutex mutex;
  std::unordered_multiset<std::string> values;  // GUARDED_BY(mutex); multiset: shared values
};

SecretSet& secrets() {
  static SecretSet instance;
  return instance;
}

// Keys whose values are secrets in JSON (`"key": "value"`), query strings and forms
// (`key=value`). Matched case-insensitively. An OAuth `code` is a secret in a query string;
// in JSON, "code" is our own error code, so it is only masked in the form shape.
#define FERRY_SECRET_KEYS                                                                  \
  "access_token|refresh_token|id_token|client_secret|password|api_key|apikey|app_api_key|" \
  "secret_key|oauth_token_secret|oauth_token|code_verifier|secret|token"
constexpr const char* kSecretKeys = FERRY_SECRET_KEYS;
constexpr const char* kSecretFormKeys = FERRY_SECRET_KEYS "|code";
#undef FERRY_SECRET_KEYS

const std::regex& json_pattern() {
  static const std::regex re(std::string("(\"(?:") + kSecretKeys +
                                 ")\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")",
                             std::regex::icase | std::regex::optimize);
  return re;
}
const std::regex& form_pattern() {
  static const std::regex re(std::string("((?:^|[?&\\s])(?:") + kSecretFormKeys + ")=)([^&\\s\"]+)",
                             std::regex::icase | std::regex::optimize);
  return re;
}
const std::regex& auth_pattern() {
  static const std::regex re("((?:authorization|proxy-authorization)\\s*:\\s*(?:\\w+\\s+)?)(\\S+)",
                             std::regex::icase | std::regex::optimize);
  return re;
}
const std::regex& bearer_pattern() {
  static const std::regex re("((?:bearer|basic)\\s+)([A-Za-z0-9._~+/=-]{4,})",
                             std::regex::icase | std::regex::optimize);
  return re;
}

bool mentions_secret_word(std::string_view text) {
  static constexpr std::string_view kWords[] = {"token",  "secret", "password", "key",
                                                "code",   "bearer", "basic",    "authorization"};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto word : kWords) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

void replace_all(std::string& text, std::string_view needle) {
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kRedacted);
    pos += kRedacted.size();
  }
}

}  // namespace

void register_secret(std::string_view value) {
  if (value.size() < 4) return;
  std::unique_lock lock(secrets().mutex);
  secrets().values.emplace(value);
}

void unregister_secret(std::string_view value) {
  std::unique_lock lock(secrets().mutex);
  auto it = secrets().values.find(std::string(value));
  if (it != secrets().values.end()) secrets().values.erase(it);
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    std::shared_lock lock(secrets().mutex);
    for (const auto& value : secrets().values) replace_all(out, value);
  }
  // Shapes: every pattern needs one of these words, so text without any of them (most log
  // lines and URLs) never reaches the regex engine.
  if (!mentions_secret_word(out)) return out;
  const std::string redacted_group = std::string("$1") + std::string(kRedacted);
  if (out.find('"') != std::string::npos)
    out = std::regex_replace(out, json_pattern(), redacted_group + "$3");
  if (out.find('=') != std::string::npos)
    out = std::regex_replace(out, form_pattern(), redacted_group);
  if (out.find(':') != std::string::npos)
    out = std::regex_replace(out, auth_pattern(), redacted_group);
  out = std::regex_replace(out, bearer_pattern(), redacted_group);
  return out;
}

std::string mask(std::string_view secret) {
  if (secret.size() < 12) return std::string(kRedacted);
  return std::string(secret.substr(0, 2)) + "…" + std::string(kRedacted);
}

}  // namespace ferry::observe
