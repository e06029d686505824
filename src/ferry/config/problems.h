#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::config {

// Where a value was written: a file label ("/abs/demo/integrations.yaml" or, for the
// embedded catalog, "blueprint jira.yaml") and a 1-based line and column. line == 0 means
// the position is unknown (an empty document); to_string() then prints the label alone.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", or "file" when the position is unknown.
  std::string to_string() const;
};

// Collects every configuration problem found while loading, so the user sees them all at
// once. Each problem is one line: "file:line:col: key.path: what was expected". Not
// thread-safe; one loader owns it.
class Problems {
 public:
  // Records "<location>: <key_path>: <what>" (key_path may be empty).
  void add(const SourceLocation& location, std::string_view key_path, std::string_view what);
  // Records a problem about a whole file: "<file>: <what>".
  void add_file(std::string_view file, std::string_view what);
  // Appends every line of `other`.
  void append(const Problems& other);

  bool empty() const { return lines_.empty(); }
  std::size_t size() const { return lines_.size(); }
  const std::vector<std::string>& lines() const { return lines_; }

  // Errc::config_invalid whose message is the lines joined by '\n'. REQUIRES: !empty().
  Error to_error() const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace ferry::config
