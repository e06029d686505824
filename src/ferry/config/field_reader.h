#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/config/problems.h"
#include "ferry/config/source_tree.h"
#include "ferry/observe/log.h"

namespace ferry::config {

// A spelling of an enum value in a config file: `{"OAUTH2", AuthMode::oauth2}`.
template <class E>
struct EnumName {
  std::string_view name;
  E value;
};

// True for "http://x..." and "https://x..." (scheme case-insensitive, non-empty host).
// Runtime placeholders inside the host or path are fine ("https://${connectionConfig.x}.y").
bool is_http_url(std::string_view value);

// True for names usable as integration and blueprint names: letters, digits, '-', '_', '.'.
bool is_config_name(std::string_view name);

// Reads typed values out of one YAML map, recording one problem per bad key in the
// "file:line:col: key.path: what" format. Absent and null keys leave the output alone, so
// callers set defaults first. Each read_* returns true when it stored a value.
// Borrows the node and the Problems; use within their lifetime.
class MapReader {
 public:
  // `map` may be nullptr or null (read as empty). Any other non-map records a problem at
  // `path` and reads as empty.
  MapReader(const SourceNode* map, std::string path, Problems& problems);

  // Records "unknown key" for each key not in `known`, suggesting the nearest one.
  void reject_unknown(const std::vector<std::string>& known) const;

  // The non-null value of `key`, or nullptr.
  const SourceNode* get(std::string_view key) const;
  // The key path of `key` ("integrations.jira.auth.token_url").
  std::string path(std::string_view key) const;
  // Where `key` is written, or the map's own location when the key is absent.
  SourceLocation location(std::string_view key) const;
  const std::string& path() const { return path_; }
  Problems& problems() const { return problems_; }

  bool read_string(std::string_view key, std::string& out) const;
  // A string that must not be empty.
  bool read_nonempty_string(std::string_view key, std::string& out) const;
  // An http(s) URL (is_http_url).
  bool read_url(std::string_view key, std::string& out) const;
  bool read_bool(std::string_view key, bool& out) const;
  // A decimal integer in [min, max].
  bool read_int(std::string_view key, long long min, long long max, long long& out) const;
  // A map of names to scalar values (headers, params).
  bool read_string_map(std::string_view key, std::map<std::string, std::string>& out) const;
  bool read_string_list(std::string_view key, std::vector<std::string>& out) const;
  // A list of decimal integers, each in [min, max].
  bool read_int_list(std::string_view key, long long min, long long max,
                     std::vector<int>& out) const;

  // A log level name: error, warn, info, http, verbose, debug or silly.
  bool read_log_level(std::string_view key, observe::Level& out) const;

  // One of `names`; anything else is reported with the choices and a near miss.
  template <class E>
  bool read_enum(std::string_view key, std::initializer_list<EnumName<E>> names, E& out) const {
    std::vector<std::string> choices;
    for (const auto& n : names) choices.emplace_back(n.name);
    int index = read_choice(key, choices);
    if (index < 0) return false;
    out = (names.begin() + index)->value;
    return true;
  }

  // A reader for the map under `key` (empty when absent; a problem when not a map).
  MapReader section(std::string_view key) const;

  // Records a problem about `key`'s value (or the map itself when `key` is absent).
  void report(std::string_view key, std::string_view what) const;

 private:
  // The index in `choices` of `key`'s value, or -1 (absent, or reported as invalid).
  int read_choice(std::string_view key, const std::vector<std::string>& choices) const;
  // The scalar at `key`; reports "expected <what>" when it is a list or map.
  const SourceNode* scalar(std::string_view key, std::string_view what) const;

  const SourceNode* map_;
  std::string path_;
  SourceLocation location_;
  Problems& problems_;
};

// "got \"value\"" for messages; long values are cut.
std::string quote_value(std::string_view value);

// Reports `node` at `path` as having the wrong type: "expected <what>, got <kind>".
void report_type(const SourceNode& node, const std::string& path, std::string_view what,
                 Problems& problems);

}  // namespace ferry::config
