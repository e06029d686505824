#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::config {

// The variables ${VAR} placeholders in ferry.yaml and integrations.yaml are substituted
// from. An immutable snapshot: later changes to the process environment are not seen.
// Thread-safe for concurrent reads.
class Environment {
 public:
  // `<dir>/.env` (when present) overlaid by the process environment, which wins.
  // .env lines are KEY=VALUE, blank, or `#` comments; `export KEY=VALUE` is accepted;
  // values may be 'single-quoted' (literal), "double-quoted" (\n \t \" \\ escapes) or
  // bare (a ` #` starts a comment; surrounding spaces are dropped).
  // Errc::config_invalid when .env cannot be read or has a malformed line, with the
  // message "<dir>/.env:line:col: what".
  static Result<Environment> from_process_and_dotenv(const std::filesystem::path& dir);

  // Exactly `variables`; for tests and embedders.
  static Environment from_map(std::map<std::string, std::string> variables);

  // The value of `name`, or nullptr when unset. The pointer lives as long as *this.
  const std::string* find(std::string_view name) const;

  const std::map<std::string, std::string, std::less<>>& variables() const { return variables_; }

 private:
  explicit Environment(std::map<std::string, std::string, std::less<>> variables)
      : variables_(std::move(variables)) {}

  std::map<std::string, std::string, std::less<>> variables_;
};

// Parses the text of a .env file. `file` labels error messages. Errc::config_invalid on a
// malformed line ("file:line:col: what"; never echoes a value).
Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text,
                                                        std::string_view file);

}  // namespace ferry::config
