// The log file may quote what users sent: it is owner-only whatever the umask says.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ferry/observe/log.h"

namespace ferry::observe {
namespace {

int mode_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

TEST(LogFile, IsCreatedOwnerOnlyAndAnExistingOneIsNarrowed) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) /
                            ("ferry_log_" + std::to_string(::getpid()) + ".log"))
                               .string();
  std::filesystem::remove(path);
  const mode_t previous = ::umask(0);
  ASSERT_TRUE(init_logging(LogOptions{Level::info, path, false}));
  info("first line");
  EXPECT_EQ(mode_of(path), 0600);

  ASSERT_TRUE(init_logging(LogOptions{Level::warn, "", false}));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(init_logging(LogOptions{Level::info, path, false}));
  EXPECT_EQ(mode_of(path), 0600);
  ::umask(previous);
  ASSERT_TRUE(init_logging(LogOptions{Level::warn, "", false}));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ferry::observe
