// The log file may quote what users sent: it is owner-only whatever the umask says.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

// log_format: json, for log shippers: every line one JSON object, whatever the message
// holds, redacted as text lines are.
TEST(LogFile, JsonLinesAreOneObjectEachAndRedacted) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) /
                            ("ferry_json_log_" + std::to_string(::getpid()) + ".log"))
                               .string();
  std::filesystem::remove(path);
  ASSERT_TRUE(init_logging(LogOptions{Level::info, path, false, LogFormat::json}));
  info("plain");
  warn("two\nlines \"quoted\" and invalid UTF-8 \xff\xfe");
  info("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.secret-part.signature");
  debug("below the level");
  ASSERT_TRUE(init_logging(LogOptions{Level::warn, "", false}));

  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << line;
    lines.push_back(std::move(parsed));
  }
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    EXPECT_TRUE(line["time"].is_string() && line["time"].get<std::string>().ends_with("Z"))
        << line;
  }
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["message"], "plain");
  EXPECT_EQ(lines[1]["level"], "warn");
  EXPECT_EQ(lines[1]["message"].get<std::string>().rfind("two\nlines \"quoted\"", 0), 0u);
  const std::string redacted = lines[2]["message"];
  EXPECT_EQ(redacted.find("secret-part"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.rfind("Authorization: Bearer ", 0), 0u) << redacted;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ferry::observe
