// Fuzzes the redactor every sink passes text through (observe/redact.h): redact() over
// arbitrary text and redact_json() over the text when it is JSON, with a fixed registered
// secret and one taken from the input.
//
// Input: a secret candidate, '\n', then the text to redact. The candidate is registered
// (for this input only) when redact() would mask it: 4 characters or more, no '[' or ']'
// and not part of "[REDACTED]" itself, so the marker can never spell it.
// Oracle: no crash or sanitizer report, and no registered secret is left in the output of
// redact() (also when redacted twice), for the text as given and repeated to 64 KiB (long
// lines are where a backtracking matcher would overflow its stack), nor in any string of
// the JSON value redact_json() leaves.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <vector>

#include "ferry/observe/redact.h"
#include "fuzz_check.h"

namespace {

using ferry::observe::kRedacted;

constexpr std::string_view kFixedSecret = "s3cr3t-fuzz-value";
constexpr std::size_t kLongText = 64 * 1024;

bool is_registrable(std::string_view secret) {
  return secret.size() >= 4 && secret.find_first_of("[]") == std::string_view::npos &&
         kRedacted.find(secret) == std::string_view::npos;
}

void check_no_secret(std::string_view out, std::string_view secret) {
  FERRY_FUZZ_CHECK(out.find(kFixedSecret) == std::string::npos, "the fixed secret leaked");
  FERRY_FUZZ_CHECK(secret.empty() || out.find(secret) == std::string::npos,
                   "the registered secret leaked");
}

void check_redacted(std::string_view text, std::string_view secret) {
  const std::string out = ferry::observe::redact(text);
  check_no_secret(out, secret);
  check_no_secret(ferry::observe::redact(out), secret);
}

// Every string in `value`, object keys aside (redact_json leaves names alone).
void check_json_redacted(const nlohmann::json& value, std::string_view secret) {
  std::vector<const nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    const nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_string()) check_no_secret(node->get_ref<const std::string&>(), secret);
    if (node->is_structured()) {
      for (const auto& child : *node) pending.push_back(&child);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool registered = (ferry::observe::register_secret(kFixedSecret), true);
  (void)registered;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto [secret, text] = ferry::fuzz::split_once(input, '\n');
  if (!is_registrable(secret)) secret = {};
  if (!secret.empty()) ferry::observe::register_secret(secret);

  check_redacted(text, secret);
  if (!text.empty() && text.size() < kLongText) {
    std::string long_text;
    while (long_text.size() < kLongText) long_text += text;
    check_redacted(long_text, secret);
  }

  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) {
    ferry::observe::redact_json(json);
    check_json_redacted(json, secret);
  }

  if (!secret.empty()) ferry::observe::unregister_secret(secret);
  return 0;
}
