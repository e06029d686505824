#include "ferry/core/private_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ferry {
namespace {

int mode_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) /
          ("ferry_private_" + name + "_" + std::to_string(::getpid())))
      .string();
}

TEST(PrivateFile, CreatesAMissingFileOwnerOnlyEvenWithAnEmptyUmask) {
  const std::string path = temp_path("new");
  std::filesystem::remove(path);
  const mode_t previous = ::umask(0);
  auto made = make_private_file(path);
  ::umask(previous);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(mode_of(path), 0600);
  std::filesystem::remove(path);
}

TEST(PrivateFile, NarrowsAnExistingFileAndKeepsItsContent) {
  const std::string path = temp_path("existing");
  std::ofstream(path) << "line one\n";
  ASSERT_EQ(::chmod(path.c_str(), 0664), 0);
  ASSERT_TRUE(make_private_file(path));
  EXPECT_EQ(mode_of(path), 0600);
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  EXPECT_EQ(content.str(), "line one\n");
  std::filesystem::remove(path);
}

TEST(PrivateFile, NarrowIfPresentCreatesNothing) {
  const std::string path = temp_path("absent");
  std::filesystem::remove(path);
  EXPECT_TRUE(narrow_if_present(path));
  EXPECT_EQ(mode_of(path), -1);
}

TEST(PrivateFile, ADirectoryOrAMissingParentIsAnErrorNamingThePath) {
  const std::string dir = temp_path("dir");
  std::filesystem::create_directories(dir);
  auto refused = make_private_file(dir);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(dir), std::string::npos);
  auto missing = make_private_file(dir + "/no/such/file");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ferry
