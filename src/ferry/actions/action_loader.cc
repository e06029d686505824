#include "ferry/actions/action_loader.h"

#include <fmt/format.h>
#include <lua.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ferry::actions {
namespace {

namespace fs = std::filesystem;

bool is_hidden(const std::string& name) { return name.empty() || name.front() == '.'; }

void scan_folder(const fs::path& folder, const std::string& integration,
                 std::vector<ActionFile>& found) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file_name = it->path().filename().string();
    if (is_hidden(file_name) || !file_name.ends_with(kActionSuffix) ||
        file_name.size() == kActionSuffix.size()) {
      continue;
    }
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    ActionFile file;
    file.integration = integration;
    file.name = file_name.substr(0, file_name.size() - kActionSuffix.size());
    file.file = integration + "/" + file_name;
    file.path = it->path();
    found.push_back(std::move(file));
  }
}

}  // namespace

std::vector<ActionFile> scan_action_files(const fs::path& dir) {
  std::vector<ActionFile> found;
  if (dir.empty()) return found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string folder_name = it->path().filename().string();
    std::error_code type_ec;
    if (is_hidden(folder_name) || !it->is_directory(type_ec)) continue;
    scan_folder(it->path(), folder_name, found);
  }
  std::sort(found.begin(), found.end(),
            [](const ActionFile& a, const ActionFile& b) { return a.file < b.file; });
  return found;
}

Result<std::string> read_action_file(const ActionFile& file) {
  std::error_code ec;
  const auto size = fs::file_size(file.path, ec);
  if (ec) return Error{Errc::internal, fmt::format("{}: cannot read: {}", file.file, ec.message())};
  if (size > kMaxActionFileBytes) {
    return Error{Errc::invalid_argument,
                 fmt::format("{}: larger than {} bytes", file.file, kMaxActionFileBytes)};
  }
  std::ifstream in(file.path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Error{Errc::internal, fmt::format("{}: cannot read", file.file)};
  return text.str();
}

Status check_lua_syntax(std::string_view source, const std::string& file) {
  lua_State* L = luaL_newstate();
  if (L == nullptr) return Error{Errc::internal, "cannot create a Lua state"};
  const std::string chunk_name = "@" + file;
  // luaL_loadbufferx compiles in protected mode: a syntax error comes back as a status.
  const int status = luaL_loadbufferx(L, source.data(), source.size(), chunk_name.c_str(), "t");
  Status result = ok();
  if (status != LUA_OK) {
    const char* message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    result = Error{Errc::invalid_argument,
                   message ? std::string(message) : file + ": cannot be compiled"};
  }
  lua_close(L);
  return result;
}

}  // namespace ferry::actions
