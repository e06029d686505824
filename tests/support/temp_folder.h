#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace ferry::testing {

// A fresh, empty directory under ::testing::TempDir(), named after the running test, removed
// with everything in it when the object goes away. Its path is canonical (symlinks in the
// temp dir resolved), so tests may compare it with paths the code under test computes.
class TempFolder {
 public:
  TempFolder() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = std::string("ferry_") + (info ? info->name() : "test") + "_" +
                             std::to_string(::getpid()) + "_" + std::to_string(counter++);
    path_ = std::filesystem::path(::testing::TempDir()) / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    path_ = std::filesystem::canonical(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to `relative` (parents created) and returns its absolute path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    return file;
  }

  // Writes every (relative path, text) pair.
  void write_all(const std::map<std::string, std::string>& files) const {
    for (const auto& [relative, text] : files) write(relative, text);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ferry::testing
