#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/config/environment.h"
#include "ferry/config/problems.h"

namespace ferry::config {

// A parsed YAML document that remembers where each value came from, so a problem found
// after merging a blueprint with an integration still names the right file and line.
// yaml-cpp stays behind this type: nothing else in config/ sees a YAML::Node.
struct SourceNode {
  enum class Kind { null, scalar, sequence, map };

  Kind kind = Kind::null;
  std::string scalar;                // Kind::scalar: the text, after ${VAR} substitution
  std::vector<std::string> variables;  // Kind::scalar: the ${VAR} names substituted into it
  std::vector<SourceNode> children;  // sequence items, or map entries in file order
  std::string key;                   // on a map entry: its key
  SourceLocation key_location;       // on a map entry: where its key is written
  SourceLocation location;           // where the value starts

  bool is_null() const { return kind == Kind::null; }
  bool is_map() const { return kind == Kind::map; }
  // The entry `key` of a map, or nullptr (also when *this is not a map).
  const SourceNode* find(std::string_view key) const;
  SourceNode* find(std::string_view key);
  // "a string", "a list", "a map" or "nothing", for "expected X, got Y" messages.
  std::string_view kind_name() const;
};

// Parses `text` as one YAML document labelled `file` in locations. On a syntax error adds
// "file:line:col: invalid YAML: <parser message>" to `problems` and returns nullopt.
// Duplicate and non-scalar map keys are reported too (the node is still returned).
std::optional<SourceNode> parse_yaml(std::string_view text, const std::string& file,
                                     Problems& problems);

// Reads and parses `path` (labelled with its absolute path). A file that cannot be read
// adds "<path>: cannot read: <reason>" and returns nullopt. REQUIRES: the file exists
// (callers decide what a missing file means).
std::optional<SourceNode> read_yaml_file(const std::filesystem::path& path, Problems& problems);

// `node` emitted back as YAML (block style), for showing a blueprint version.
std::string to_yaml(const SourceNode& node);

// `text` with each ${NAME} whose NAME is an environment-style name ([A-Z_][A-Z0-9_]*)
// replaced by its value in `env`, and each `$${` turned into a literal `${`. Any other
// ${...} (runtime placeholders such as ${access_token} or ${connectionConfig.cloudId}) is
// kept as written. Names that are unset are appended to `missing` and left in place; names
// that were substituted are appended to `filled` when it is given.
std::string substitute_env(std::string_view text, const Environment& env,
                           std::vector<std::string>& missing,
                           std::vector<std::string>* filled = nullptr);

// Applies substitute_env() to every scalar value under `node` (keys are left alone), noting
// in each scalar's `variables` the names filled into it. Each unset variable adds "file:line:col: <path>: environment variable NAME is not set".
// `path` is the key path of `node` ("integrations.jira"); empty at the document root.
void substitute_env(SourceNode& node, const Environment& env, const std::string& path,
                    Problems& problems);

// `overlay` laid over `base`, key by key: maps merge recursively, anything else (scalars,
// lists, a map over a non-map) replaces. A null value in `overlay` leaves `base`'s value.
// Locations follow the value that won, so problems point at the file that set it.
SourceNode merge(SourceNode base, const SourceNode& overlay);

// "parent.key", or "key" when parent is empty.
std::string child_path(std::string_view parent, std::string_view key);

}  // namespace ferry::config
