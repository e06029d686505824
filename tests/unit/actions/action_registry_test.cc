// Loading and hot reload of action files, and the watcher that polls for them.

#include "ferry/actions/action_registry.h"

#include <gtest/gtest.h>

#include "actions_test_support.h"
#include "ferry/actions/action_loader.h"
#include "ferry/core/periodic_task.h"

namespace ferry::actions {
namespace {

using testing::ActionsFixture;
using testing::TempFolder;
using Names = std::vector<std::string>;

TEST(ActionLoader, FindsActionFilesOneFolderDeep) {
  TempFolder folder;
  folder.write("jira/create-issue.action.lua", "return function() end");
  folder.write("jira/notes.lua", "-- not an action");
  folder.write("jira/.hidden.action.lua", "return function() end");
  folder.write("confluence/list-pages.action.lua", "return function() end");
  folder.write("confluence/deeper/x.action.lua", "return function() end");
  folder.write("top.action.lua", "return function() end");
  auto files = scan_action_files(folder.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].file, "confluence/list-pages.action.lua");
  EXPECT_EQ(files[0].integration, "confluence");
  EXPECT_EQ(files[0].name, "list-pages");
  EXPECT_EQ(files[1].file, "jira/create-issue.action.lua");
  EXPECT_TRUE(scan_action_files(folder.path() / "missing").empty());
}

TEST(ActionLoader, RefusesOversizedFiles) {
  TempFolder folder;
  folder.write("jira/big.action.lua", std::string(kMaxActionFileBytes + 1, ' '));
  auto files = scan_action_files(folder.path());
  ASSERT_EQ(files.size(), 1u);
  auto text = read_action_file(files[0]);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::invalid_argument);
}

class HotReload : public ActionsFixture {};

TEST_F(HotReload, PicksUpAddedChangedAndDeletedFiles) {
  folder_.write("jira/a.action.lua", "return function() return 'a1' end");
  ReloadReport first = registry_->reload();
  EXPECT_EQ(first.added, Names{"jira/a"});
  EXPECT_EQ(output_of("a"), "a1");

  folder_.write("jira/a.action.lua", "return function() return 'a2' end");
  folder_.write("jira/b.action.lua", "return function() return 'b1' end");
  ReloadReport second = registry_->reload();
  EXPECT_EQ(second.changed, Names{"jira/a"});
  EXPECT_EQ(second.added, Names{"jira/b"});
  EXPECT_EQ(output_of("a"), "a2");

  ReloadReport unchanged = registry_->reload();
  EXPECT_TRUE(unchanged.added.empty() && unchanged.changed.empty() && unchanged.removed.empty());

  std::filesystem::remove(folder_.path() / "jira/a.action.lua");
  ReloadReport third = registry_->reload();
  EXPECT_EQ(third.removed, Names{"jira/a"});
  EXPECT_EQ(run("a").failure->code, Errc::not_found);
  EXPECT_EQ(registry_->list(), Names{"jira/b"});
}

TEST_F(HotReload, ABrokenEditKeepsThePreviousVersionServing) {
  write_action("a", "return function() return 'good' end");
  folder_.write("jira/a.action.lua", "return function() return 'bad' en");
  ReloadReport broken = registry_->reload();
  ASSERT_EQ(broken.errors.size(), 1u);
  EXPECT_EQ(broken.errors[0].message.rfind("jira/a.action.lua:1:", 0), 0u);
  EXPECT_EQ(output_of("a"), "good");

  folder_.write("jira/a.action.lua", "return function() return 'fixed' end");
  ReloadReport fixed = registry_->reload();
  EXPECT_TRUE(fixed.errors.empty());
  EXPECT_EQ(fixed.changed, Names{"jira/a"});
  EXPECT_EQ(output_of("a"), "fixed");
}

// A new file that has never compiled is not "unknown": running it says why it cannot load.
TEST_F(HotReload, ANewBrokenFileIsReportedWhenRunNotCalledUnknown) {
  folder_.write("jira/broken.action.lua", "return function() if end");
  ASSERT_EQ(registry_->reload().errors.size(), 1u);
  auto result = run("broken");
  ASSERT_TRUE(result.failure);
  EXPECT_EQ(result.failure->code, Errc::action_failed);
  EXPECT_NE(result.failure->message.find("cannot be loaded: jira/broken.action.lua:1:"),
            std::string::npos)
      << result.failure->message;

  folder_.write("jira/broken.action.lua", "return function() return 'ok' end");
  registry_->reload();
  EXPECT_EQ(output_of("broken"), "ok");
  std::filesystem::remove(folder_.path() / "jira/broken.action.lua");
  registry_->reload();
  EXPECT_EQ(run("broken").failure->code, Errc::not_found);
}

TEST_F(HotReload, APeriodicReloadPicksUpEditsWithoutARestart) {
  boost::asio::io_context ioc;
  PeriodicTask reloader(ioc.get_executor(), std::chrono::milliseconds(5),
                        [registry = registry_] { (void)registry->reload(); });
  reloader.start();
  auto wait_for = [&](auto condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!condition() && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(std::chrono::milliseconds(5));
    }
    return condition();
  };
  folder_.write("jira/w.action.lua", "return function() return 1 end");
  EXPECT_TRUE(wait_for([&] { return registry_->find("jira", "w") != nullptr; }));
  folder_.write("jira/w.action.lua", "return function() return 22 end");
  EXPECT_TRUE(wait_for([&] {
    auto found = registry_->find("jira", "w");
    return found && found->script->source.find("22") != std::string::npos;
  }));
  std::filesystem::remove(folder_.path() / "jira/w.action.lua");
  EXPECT_TRUE(wait_for([&] { return registry_->find("jira", "w") == nullptr; }));
  reloader.stop();
  folder_.write("jira/late.action.lua", "return function() return 1 end");
  ioc.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(registry_->find("jira", "late"), nullptr);
}

}  // namespace
}  // namespace ferry::actions
