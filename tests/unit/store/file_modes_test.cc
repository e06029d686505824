// The database holds tokens: its files are owner-only whatever the process umask says.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "store_fixture.h"

namespace ferry::store {
namespace {

using testing::make_connection;
using FileModesTest = testing::SqliteStoreTest;

// The permission bits of `path`, or -1 when it does not exist.
int mode_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

// Sets the process umask for the lifetime of the object.
class UmaskScope {
 public:
  explicit UmaskScope(mode_t mask) : previous_(::umask(mask)) {}
  ~UmaskScope() { ::umask(previous_); }

 private:
  mode_t previous_;
};

TEST_F(FileModesTest, ANewDatabaseAndItsWalAreOwnerOnlyUnderAPermissiveUmask) {
  UmaskScope permissive(0);
  auto store = open("tokens.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create_connection(make_connection("jira", "user-1")));
  EXPECT_EQ(mode_of(path("tokens.db")), 0600);
  // WAL mode: both side files exist while the store is open.
  EXPECT_EQ(mode_of(path("tokens.db-wal")), 0600);
  EXPECT_EQ(mode_of(path("tokens.db-shm")), 0600);
}

TEST_F(FileModesTest, AnExistingWorldReadableDatabaseIsNarrowedWhenOpened) {
  {
    UmaskScope permissive(0);
    ASSERT_TRUE(open("old.db"));
  }
  ASSERT_EQ(::chmod(path("old.db").c_str(), 0644), 0);
  auto store = open("old.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(mode_of(path("old.db")), 0600);
}

TEST_F(FileModesTest, AFileThatIsNotADatabaseKeepsItsMode) {
  std::ofstream(path("notes.db")) << std::string(1000, '#');
  ASSERT_EQ(::chmod(path("notes.db").c_str(), 0644), 0);
  ASSERT_FALSE(open_store(url("notes.db"), "", clock_));
  EXPECT_EQ(mode_of(path("notes.db")), 0644);
}

}  // namespace
}  // namespace ferry::store
