#include "ferry/observe/redact.h"

#include <atomic>
#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <regex>
#include <unordered_set>
#include <vector>

#include "ferry/core/strings.h"

namespace ferry::observe {
namespace {

// The registered secrets. Writers (start-up, tests) take the mutex and publish a new
// immutable snapshot; every thread keeps its own reference to the latest snapshot and only
// compares a version number to know it is current, so redact() takes no lock.
struct SecretSet {
  std::mutex mutex;
  std::unordered_multiset<std::string> values;  // GUARDED_BY(mutex); multiset: shared values
  std::shared_ptr<const std::vector<std::string>> snapshot =  // GUARDED_BY(mutex)
      std::make_shared<const std::vector<std::string>>();
  std::atomic<std::uint64_t> version{1};

  // REQUIRES: mutex is held.
  void publish() {
    snapshot = std::make_shared<const std::vector<std::string>>(values.begin(), values.end());
    version.fetch_add(1, std::memory_order_release);
  }
};

SecretSet& secrets() {
  static SecretSet instance;
  return instance;
}

// This thread's view of the registered secrets.
const std::vector<std::string>& current_secrets() {
  thread_local std::uint64_t seen_version = 0;
  thread_local std::shared_ptr<const std::vector<std::string>> seen;
  SecretSet& set = secrets();
  const std::uint64_t version = set.version.load(std::memory_order_acquire);
  if (version != seen_version) {
    std::lock_guard lock(set.mutex);
    seen = set.snapshot;
    seen_version = set.version.load(std::memory_order_relaxed);
  }
  return *seen;
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
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Most bytes start no word: compare only where the first letter matches.
    const char first = static_cast<char>(text[i] | 0x20);
    for (auto word : kWords) {
      if (word.front() == first && starts_with_icase(text.substr(i), word)) return true;
    }
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
  std::lock_guard lock(secrets().mutex);
  secrets().values.emplace(value);
  secrets().publish();
}

void unregister_secret(std::string_view value) {
  std::lock_guard lock(secrets().mutex);
  auto it = secrets().values.find(std::string(value));
  if (it == secrets().values.end()) return;
  secrets().values.erase(it);
  secrets().publish();
}

std::string redact(std::string_view text) {
  std::string out(text);
  for (const auto& value : current_secrets()) replace_all(out, value);
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
