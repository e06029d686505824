#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

namespace ferry::config::testing {

// A fresh, empty directory under ::testing::TempDir(), removed with everything in it when
// the object goes away.
class TempFolder {
 public:
  TempFolder() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("ferry_config_") + (info ? info->name() : "test") + "_" +
                       std::to_string(::getpid()) + "_" + std::to_string(counter++);
    path_ = std::filesystem::path(::testing::TempDir()) / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    path_ = std::filesystem::canonical(path_);
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
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

// `text` with every "{dir}" replaced by `dir`.
inline std::string with_dir(std::string text, const std::filesystem::path& dir) {
  const std::string marker = "{dir}";
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
    text.replace(at, marker.size(), dir.string());
    at += dir.string().size();
  }
  return text;
}

// A folder blueprint used by several tests: two versions of an OAuth 2 provider.
inline const char* const kAcmeBlueprint = R"(# Acme test API.
name: acme
maintainer: Acme Tests
docs_url: https://acme.example/docs
versions:
  v0:
    comment: The first version.
    auth:
      auth_mode: OAUTH2
      authorization_url: https://auth.acme.example/authorize
      authorization_params:
        audience: api.acme.example
        prompt: consent
      token_url: https://auth.acme.example/token
    requests:
      base_url: https://api.acme.example/
      headers:
        authorization: Bearer ${access_token}
        accept: application/json
    oauth_scopes: [read, write]
    retry:
      max_attempts: 4
      retry_on: [429, 503]
  v1:
    comment: The second version.
    auth:
      auth_mode: OAUTH2
      authorization_url: https://auth.acme.example/v1/authorize
      token_url: https://auth.acme.example/v1/token
    requests:
      base_url: https://api.acme.example/v1/
)";

// An OAuth 1.0a folder blueprint.
inline const char* const kOldAuthBlueprint = R"(name: oldauth
maintainer: Tests
docs_url: https://old.example/docs
versions:
  v0:
    comment: OAuth 1.0a.
    auth:
      auth_mode: OAUTH1
      request_url: https://old.example/request
      authorization_url: https://old.example/authorize
      token_url: https://old.example/access
      signature_method: HMAC-SHA1
    requests:
      base_url: https://api.old.example/
)";

}  // namespace ferry::config::testing
