#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/result.h"

namespace ferry::actions {

// Finding and checking action files. No state; callable from any thread.

inline constexpr std::size_t kMaxActionFileBytes = 1024 * 1024;
inline constexpr std::string_view kActionSuffix = ".action.lua";

struct ActionFile {
  std::string integration;  // the folder name
  std::string name;         // the file name without ".action.lua"
  std::string file;         // "<integration>/<name>.action.lua"
  std::filesystem::path path;
};

// Every <dir>/<integration>/<name>.action.lua (regular files, one level of folders), sorted
// by file. A missing or unreadable folder yields none.
std::vector<ActionFile> scan_action_files(const std::filesystem::path& dir);

// The file's text. Errc::invalid_argument when it is larger than kMaxActionFileBytes;
// Errc::internal when it cannot be read.
Result<std::string> read_action_file(const ActionFile& file);

// Compiles `source` as a Lua text chunk named `file` without running it. ok(), or
// Errc::invalid_argument "<file>:<line>: <message>".
Status check_lua_syntax(std::string_view source, const std::string& file);

}  // namespace ferry::actions
