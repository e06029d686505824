#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using testing::make_connection;
using testing::new_key;
using testing::SqliteStoreTest;
using testing::StoreTest;

class EncryptionTest : public StoreTest {};
using SqliteEncryptionTest = SqliteStoreTest;

constexpr std::string_view kToken = "tok-3f9a1c7e5b2d4f60a8e1";

Connection with_token(const std::string& connection_id) {
  Connection c = make_connection("jira", connection_id);
  c.credentials.access_token = std::string(kToken) + connection_id;
  return c;
}

// Every byte of every file in `dir` (the database and any -wal/-shm files).
std::string all_bytes(const std::filesystem::path& dir) {
  std::string out;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::stringstream bytes;
    bytes << std::ifstream(file.path(), std::ios::binary).rdbuf();
    out += bytes.str();
  }
  return out;
}

TEST_P(EncryptionTest, CredentialsRoundTripAndAreStoredSealed) {
  const std::string key = new_key();
  {
    auto store = open("enc.db", key);
    ASSERT_TRUE(store->create_connection(with_token("u1")));
    auto found = store->find_connection({"jira", "u1"});
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ(found->credentials.access_token, std::string(kToken) + "u1");
  }
  const std::string stored = raw_credentials("enc.db", "u1");
  EXPECT_GT(stored.size(), Cipher::kIvBytes + Cipher::kTagBytes);
  EXPECT_EQ(stored.find(kToken), std::string::npos);
  EXPECT_EQ(stored.find("rt-u1"), std::string::npos);
  auto reopened = open("enc.db", key);
  EXPECT_EQ(reopened->find_connection({"jira", "u1"})->credentials.refresh_token, "rt-u1");
}

TEST_P(EncryptionTest, WithoutAKeyCredentialsAreStoredAsPlainJson) {
  // The control for the test above: the same check does see an unencrypted token.
  { ASSERT_TRUE(open("plain.db")->create_connection(with_token("u1"))); }
  EXPECT_NE(raw_credentials("plain.db", "u1").find(kToken), std::string::npos);
}

TEST_F(SqliteEncryptionTest, CredentialsNeverReachTheDiskInPlaintext) {
  const std::string key = new_key();
  {
    auto store = open("enc.db", key);
    ASSERT_TRUE(store->create_connection(with_token("u1")));
    // Bytes written so far, -wal file included, hold no token.
    EXPECT_EQ(all_bytes(dir_).find(kToken), std::string::npos);
  }
  EXPECT_EQ(all_bytes(dir_).find(kToken), std::string::npos);
  EXPECT_EQ(all_bytes(dir_).find("rt-u1"), std::string::npos);
}

TEST_F(SqliteEncryptionTest, WithoutAKeyTheTokenIsOnDisk) {
  // The control for the test above: the same check does see an unencrypted token.
  { ASSERT_TRUE(open("plain.db")->create_connection(with_token("u1"))); }
  EXPECT_NE(all_bytes(dir_).find(kToken), std::string::npos);
}

TEST_P(EncryptionTest, OpeningWithAnotherKeyIsRejected) {
  { ASSERT_TRUE(open("enc.db", new_key())->create_connection(with_token("u1"))); }
  auto store = open_store(url("enc.db"), new_key(), clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
  EXPECT_NE(store.error().message.find(
                "encryption_key does not match the key this database was written with"),
            std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find(where("enc.db")), std::string::npos)
      << store.error().message;
}

TEST_P(EncryptionTest, AnotherKeyIsRejectedEvenBeforeAnyConnectionExists) {
  { ASSERT_TRUE(open("enc.db", new_key())); }
  auto store = open_store(url("enc.db"), new_key(), clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
}

TEST_P(EncryptionTest, OpeningWithoutAKeyWhenRowsAreEncryptedIsRejected) {
  { ASSERT_TRUE(open("enc.db", new_key())->create_connection(with_token("u1"))); }
  auto store = open_store(url("enc.db"), "", clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::storage_corrupt);
  EXPECT_NE(store.error().message.find("no encryption_key"), std::string::npos);
  EXPECT_NE(store.error().message.find(where("enc.db")), std::string::npos)
      << store.error().message;
}

TEST_P(EncryptionTest, MalformedKeyIsInvalidArgument) {
  for (const std::string& key : {std::string("not base64!"), base64_encode("too short")}) {
    auto store = open_store(url("enc.db"), key, clock_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::invalid_argument);
    EXPECT_EQ(store.error().message.find(key), std::string::npos);
  }
}

TEST_P(EncryptionTest, TamperedCiphertextIsRejectedOnRead) {
  const std::string key = new_key();
  {
    auto store = open("enc.db", key);
    ASSERT_TRUE(store->create_connection(with_token("u1")));
    ASSERT_TRUE(store->create_connection(with_token("u2")));
  }
  std::string sealed = raw_credentials("enc.db", "u1");
  ASSERT_GT(sealed.size(), 40u);
  sealed[20] = static_cast<char>(sealed[20] ^ 0x01);
  raw_set_credentials("enc.db", "u1", sealed);

  auto store = open("enc.db", key);
  auto found = store->find_connection({"jira", "u1"});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::storage_corrupt);
  EXPECT_NE(found.error().message.find("u1"), std::string::npos);
  EXPECT_EQ(store->list_connections({}).error().code, Errc::storage_corrupt);
  EXPECT_TRUE(store->find_connection({"jira", "u2"}));  // other rows are unaffected
}

TEST_P(EncryptionTest, CiphertextMovedToAnotherRowIsRejected) {
  const std::string key = new_key();
  {
    auto store = open("enc.db", key);
    ASSERT_TRUE(store->create_connection(with_token("u1")));
    ASSERT_TRUE(store->create_connection(with_token("u2")));
  }
  raw_set_credentials("enc.db", "u2", raw_credentials("enc.db", "u1"));
  auto found = open("enc.db", key)->find_connection({"jira", "u2"});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::storage_corrupt);
}

TEST_P(EncryptionTest, RowsWrittenBeforeTheKeyStayReadableAndAreSealedOnTheirNextWrite) {
  { ASSERT_TRUE(open("mixed.db")->create_connection(with_token("u1"))); }
  const std::string key = new_key();
  auto store = open("mixed.db", key);
  EXPECT_EQ(store->find_connection({"jira", "u1"})->credentials.access_token,
            std::string(kToken) + "u1");
  ConnectionUpdate update;
  update.metadata = nlohmann::json{{"sealed", true}};
  ASSERT_TRUE(store->update_connection({"jira", "u1"}, update));
  EXPECT_EQ(raw_credentials("mixed.db", "u1").find(kToken), std::string::npos);
  EXPECT_EQ(store->find_connection({"jira", "u1"})->credentials.access_token,
            std::string(kToken) + "u1");
}

INSTANTIATE_TEST_SUITE_P(Backends, EncryptionTest, testing::kAllBackends, testing::backend_name);

}  // namespace
}  // namespace ferry::store
