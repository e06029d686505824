#include "ferry/config/field_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

std::optional<long long> parse_integer(std::string_view text) {
  text = trim(text);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string range_text(long long min, long long max) {
  // Limits past any sensible value only guard against overflow; don't show them.
  if (max >= std::numeric_limits<int>::max()) return ">= " + std::to_string(min);
  return "between " + std::to_string(min) + " and " + std::to_string(max);
}

}  // namespace

bool is_http_url(std::string_view value) {
  std::size_t rest = 0;
  if (starts_with_icase(value, "https://")) {
    rest = 8;
  } else if (starts_with_icase(value, "http://")) {
    rest = 7;
  } else {
    return false;
  }
  return value.size() > rest && value[rest] != '/' && value[rest] != '?' && value[rest] != '#' &&
         value.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool is_config_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string quote_value(std::string_view value) {
  constexpr std::size_t kMax = 60;
  std::string shown(value.substr(0, kMax));
  if (value.size() > kMax) shown += "...";
  return "\"" + shown + "\"";
}

void report_type(const SourceNode& node, const std::string& path, std::string_view what,
                 Problems& problems) {
  problems.add(node.location, path,
               "expected " + std::string(what) + ", got " + std::string(node.kind_name()));
}

MapReader::MapReader(const SourceNode* map, std::string path, Problems& problems)
    : map_(map), path_(std::move(path)), problems_(problems) {
  if (map_ != nullptr) location_ = map_->location;
  if (map_ != nullptr && !map_->is_null() && !map_->is_map()) {
    report_type(*map_, path_, "a map", problems_);
    map_ = nullptr;
  }
}

void MapReader::reject_unknown(const std::vector<std::string>& known) const {
  if (map_ == nullptr) return;
  for (const auto& entry : map_->children) {
    if (std::find(known.begin(), known.end(), entry.key) != known.end()) continue;
    std::string suggestion = closest_match(entry.key, known);
    std::string what = suggestion.empty() ? "unknown key (expected one of: " + join(known, ", ") + ")"
                                          : "unknown key; did you mean `" + suggestion + "`?";
    problems_.add(entry.key_location, path(entry.key), what);
  }
}

const SourceNode* MapReader::get(std::string_view key) const {
  if (map_ == nullptr) return nullptr;
  const SourceNode* node = map_->find(key);
  return node == nullptr || node->is_null() ? nullptr : node;
}

std::string MapReader::path(std::string_view key) const { return child_path(path_, key); }

SourceLocation MapReader::location(std::string_view key) const {
  const SourceNode* node = map_ == nullptr ? nullptr : map_->find(key);
  return node == nullptr ? location_ : node->key_location;
}

void MapReader::report(std::string_view key, std::string_view what) const {
  const SourceNode* node = get(key);
  if (node != nullptr) {
    problems_.add(node->location, path(key), what);
  } else {
    problems_.add(location(key), key.empty() ? path_ : path(key), what);
  }
}

const SourceNode* MapReader::scalar(std::string_view key, std::string_view what) const {
  const SourceNode* node = get(key);
  if (node == nullptr) return nullptr;
  if (node->kind != SourceNode::Kind::scalar) {
    report_type(*node, path(key), what, problems_);
    return nullptr;
  }
  return node;
}

bool MapReader::read_string(std::string_view key, std::string& out) const {
  const SourceNode* node = scalar(key, "a string");
  if (node == nullptr) return false;
  out = node->scalar;
  return true;
}

bool MapReader::read_nonempty_string(std::string_view key, std::string& out) const {
  const SourceNode* node = scalar(key, "a non-empty string");
  if (node == nullptr) return false;
  if (node->scalar.empty()) {
    report(key, "expected a non-empty string");
    return false;
  }
  out = node->scalar;
  return true;
}

bool MapReader::read_url(std::string_view key, std::string& out) const {
  const SourceNode* node = scalar(key, "an http(s) URL");
  if (node == nullptr) return false;
  if (!is_http_url(node->scalar)) {
    report(key, "expected an http(s) URL, got " + quote_value(node->scalar));
    return false;
  }
  out = node->scalar;
  return true;
}

bool MapReader::read_bool(std::string_view key, bool& out) const {
  const SourceNode* node = scalar(key, "true or false");
  if (node == nullptr) return false;
  std::string value = to_lower(trim(node->scalar));
  if (value != "true" && value != "false") {
    report(key, "expected true or false, got " + quote_value(node->scalar));
    return false;
  }
  out = value == "true";
  return true;
}

bool MapReader::read_int(std::string_view key, long long min, long long max,
                         long long& out) const {
  const SourceNode* node = scalar(key, "an integer");
  if (node == nullptr) return false;
  std::optional<long long> value = parse_integer(node->scalar);
  if (!value || *value < min || *value > max) {
    report(key, "expected an integer " + range_text(min, max) + ", got " + quote_value(node->scalar));
    return false;
  }
  out = *value;
  return true;
}

bool MapReader::read_string_map(std::string_view key,
                                std::map<std::string, std::string>& out) const {
  const SourceNode* node = get(key);
  if (node == nullptr) return false;
  if (!node->is_map()) {
    report_type(*node, path(key), "a map of names to strings", problems_);
    return false;
  }
  std::map<std::string, std::string> values;
  bool ok = true;
  for (const auto& entry : node->children) {
    if (entry.is_null()) {
      values[entry.key] = "";
    } else if (entry.kind != SourceNode::Kind::scalar) {
      report_type(entry, child_path(path(key), entry.key), "a string", problems_);
      ok = false;
    } else {
      values[entry.key] = entry.scalar;
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

bool MapReader::read_string_list(std::string_view key, std::vector<std::string>& out) const {
  const SourceNode* node = get(key);
  if (node == nullptr) return false;
  if (node->kind != SourceNode::Kind::sequence) {
    report_type(*node, path(key), "a list of strings", problems_);
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < node->children.size(); ++i) {
    const SourceNode& item = node->children[i];
    if (item.kind != SourceNode::Kind::scalar) {
      report_type(item, path(key) + "[" + std::to_string(i) + "]", "a string", problems_);
      ok = false;
      continue;
    }
    values.push_back(item.scalar);
  }
  if (ok) out = std::move(values);
  return ok;
}

bool MapReader::read_int_list(std::string_view key, long long min, long long max,
                              std::vector<int>& out) const {
  const SourceNode* node = get(key);
  if (node == nullptr) return false;
  if (node->kind != SourceNode::Kind::sequence) {
    report_type(*node, path(key), "a list of integers", problems_);
    return false;
  }
  std::vector<int> values;
  bool ok = true;
  for (std::size_t i = 0; i < node->children.size(); ++i) {
    const SourceNode& item = node->children[i];
    std::optional<long long> value;
    if (item.kind == SourceNode::Kind::scalar) value = parse_integer(item.scalar);
    if (!value || *value < min || *value > max) {
      std::string got = item.kind == SourceNode::Kind::scalar ? quote_value(item.scalar)
                                                              : std::string(item.kind_name());
      problems_.add(item.location, path(key) + "[" + std::to_string(i) + "]",
                    "expected an integer " + range_text(min, max) + ", got " + got);
      ok = false;
      continue;
    }
    values.push_back(static_cast<int>(*value));
  }
  if (ok) out = std::move(values);
  return ok;
}

int MapReader::read_choice(std::string_view key, const std::vector<std::string>& choices) const {
  const SourceNode* node = scalar(key, "one of " + join(choices, ", "));
  if (node == nullptr) return -1;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == node->scalar) return static_cast<int>(i);
  }
  std::string what = "expected one of " + join(choices, ", ") + ", got " + quote_value(node->scalar);
  std::string suggestion = closest_match(node->scalar, choices);
  if (!suggestion.empty()) what += "; did you mean `" + suggestion + "`?";
  report(key, what);
  return -1;
}

bool MapReader::read_log_level(std::string_view key, observe::Level& out) const {
  return read_enum<observe::Level>(key,
                                   {{"error", observe::Level::error},
                                    {"warn", observe::Level::warn},
                                    {"info", observe::Level::info},
                                    {"http", observe::Level::http},
                                    {"verbose", observe::Level::verbose},
                                    {"debug", observe::Level::debug},
                                    {"silly", observe::Level::silly}},
                                   out);
}

MapReader MapReader::section(std::string_view key) const {
  const SourceNode* node = map_ == nullptr ? nullptr : map_->find(key);
  return MapReader(node, path(key), problems_);
}

}  // namespace ferry::config
