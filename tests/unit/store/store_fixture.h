#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ferry/core/clock.h"
#include "ferry/core/crypto.h"
#include "ferry/observe/log.h"
#include "ferry/store/open_store.h"
#include "ferry/store/store.h"

namespace ferry::store::testing {

// A fresh directory under the test temp dir for one test's database files, removed
// (made writable again first) when the test ends.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Migration notices would drown the test output.
    (void)observe::init_logging({observe::Level::warn, "", true});
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("ferry_store_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string url(const std::string& name) const { return "sqlite://" + path(name); }

  // Opens `name` in the test directory; fails the test on error.
  std::unique_ptr<Store> open(const std::string& name, std::string_view key = {}) {
    auto store = open_store(url(name), key, clock_);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }

  std::filesystem::path dir_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
};

// A connection with OAuth 2 credentials for `connection_id` of integration `key`.
inline Connection make_connection(const std::string& key, const std::string& connection_id) {
  Connection c;
  c.provider_config_key = key;
  c.connection_id = connection_id;
  c.provider = "jira";
  c.credentials.type = CredentialType::oauth2;
  c.credentials.access_token = "at-" + connection_id;
  c.credentials.refresh_token = "rt-" + connection_id;
  c.credentials.expires_at = *parse_iso8601("2026-11-29T20:00:00Z");
  c.connection_config = {{"cloudId", "cloud-" + connection_id}};
  return c;
}

// OAUTH2 credentials holding only `access_token`.
inline Credentials access_token_only(std::string access_token) {
  Credentials c;
  c.type = CredentialType::oauth2;
  c.access_token = std::move(access_token);
  return c;
}

// A fresh random AES-256 key in the ferry.yaml encryption_key form.
inline std::string new_key() { return base64_encode(random_bytes(32)); }

}  // namespace ferry::store::testing
