#include "ferry/observe/redact.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "ferry/observe/secret_names.h"
#include "ferry/observe/secret_registry.h"
#include "ferry/observe/secret_shapes.h"

namespace ferry::observe {
namespace {

// `text` with every byte inside one of `ranges` replaced: each maximal run of masked bytes
// becomes one kRedacted.
std::string masked_copy(std::string_view text, std::vector<TextRange>& ranges) {
  if (ranges.empty()) return std::string(text);
  std::sort(ranges.begin(), ranges.end(),
            [](const TextRange& a, const TextRange& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;  // text before this is written (or masked)
  for (std::size_t i = 0; i < ranges.size();) {
    const std::size_t begin = ranges[i].begin;
    std::size_t end = ranges[i].end;
    // Merge every range that overlaps or touches this one.
    for (++i; i < ranges.size() && ranges[i].begin <= end; ++i) end = std::max(end, ranges[i].end);
    if (end <= copied) continue;
    const std::size_t from = std::max(begin, copied);
    out.append(text.substr(copied, from - copied));
    if (from == begin) out.append(kRedacted);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace

void register_secret(std::string_view value) { SecretRegistry::global().add(value); }

void unregister_secret(std::string_view value) { SecretRegistry::global().remove(value); }

std::string redact(std::string_view text) {
  std::vector<TextRange> ranges;
  SecretRegistry::global().find(text, ranges);
  find_secret_shapes(text, ranges);
  return masked_copy(text, ranges);
}

void redact_json(nlohmann::json& value) {
  // An explicit stack: a value parsed from an upstream answer may be nested deeply.
  std::vector<nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_string()) {
      auto& text = node->get_ref<std::string&>();
      text = redact(text);
    } else if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        const bool secret = is_secret_name(it.key(), NamePlace::json_key) ||
                            is_credential_header(it.key());
        if (secret && (it->is_string() || it->is_number())) {
          *it = std::string(kRedacted);
        } else {
          pending.push_back(&*it);
        }
      }
    } else if (node->is_array()) {
      for (auto& element : *node) pending.push_back(&element);
    }
  }
}

std::string mask(std::string_view secret) {
  if (secret.size() < 12) return std::string(kRedacted);
  return std::string(secret.substr(0, 2)) + "…" + std::string(kRedacted);
}

}  // namespace ferry::observe
