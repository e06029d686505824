#include "ferry/config/problems.h"

#include "ferry/core/strings.h"

namespace ferry::config {

std::string SourceLocation::to_string() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

void Problems::add(const SourceLocation& location, std::string_view key_path,
                   std::string_view what) {
  std::string line = location.to_string() + ": ";
  if (!key_path.empty()) {
    line += key_path;
    line += ": ";
  }
  line += what;
  lines_.push_back(std::move(line));
}

void Problems::add_file(std::string_view file, std::string_view what) {
  lines_.push_back(std::string(file) + ": " + std::string(what));
}

void Problems::append(const Problems& other) {
  lines_.insert(lines_.end(), other.lines_.begin(), other.lines_.end());
}

Error Problems::to_error() const { return Error{Errc::config_invalid, join(lines_, "\n")}; }

}  // namespace ferry::config
