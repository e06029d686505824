// Actions that attack the limits from inside C library calls and through finalizers: each
// ends with its limit error or a clear refusal, and the runner keeps serving.

#include <gtest/gtest.h>
#include <lua.hpp>

#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "actions_test_support.h"
#include "ferry/actions/lua_json.h"
#include "ferry/actions/lua_lock.h"
#include "ferry/actions/lua_sandbox.h"

namespace ferry::actions {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;
using testing::ActionsFixture;

class HostileActions : public ActionsFixture {};

TEST_F(HostileActions, PathologicalPatternsEndWithTheCpuLimit) {
  options_.limits.cpu_time = std::chrono::milliseconds(300);
  make_runner();
  write_action("ok", "return function() return ('fine'):match('%a+') end");
  for (const char* body : {
           "return string.rep('a', 200000):find('.-.-.-.-.-.-b')",
           "return ('a'):rep(1e5):match(('a*'):rep(20) .. 'b')",
           "return (('a'):rep(1e5):gsub(('a*'):rep(20) .. 'b', 'x'))",
           "for _ in ('a'):rep(1e5):gmatch(('a-'):rep(20) .. 'b') do end",
           "return (('('):rep(1e5)):find('%b()')",
           // pcall does not shield a match from the limit
           "while true do pcall(string.find, ('a'):rep(1e5), ('a*'):rep(20) .. 'b') end",
           // nor does a replacement function that catches it
           "return (('a'):rep(1e5):gsub('a', function() pcall(string.match, ('a'):rep(1e5), "
           "('a*'):rep(20) .. 'b') end))",
       }) {
    write_action("pattern", std::string("return function(nango) ") + body + " end");
    const auto started = steady_clock::now();
    EXPECT_EQ(failure_of("pattern"), "the action exceeded its CPU time limit of 300 ms") << body;
    // Before: minutes. A generous bound for a loaded machine.
    EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(60)) << body;
    EXPECT_EQ(output_of("ok"), "fine");
  }
}

TEST_F(HostileActions, PatternsTooDeepAreRefusedLikeLua) {
  write_action("deep", "return function() return ('a'):rep(300):match(('a?'):rep(300)) end");
  EXPECT_NE(failure_of("deep").find("pattern too complex"), std::string::npos);
}

TEST_F(HostileActions, InternalMetatablesAreHiddenOrReadOnly) {
  write_action("probe", R"(return function(nango)
    local function try(f, ...)
      local ok, e = pcall(f, ...)
      return ok and "allowed" or tostring(e)
    end
    local loop = function() while true do end end
    return {
      string_mt = getmetatable(""),
      array_gc = try(function() nango.json.array_mt.__gc = loop end),
      object_gc = try(function() nango.json.object_mt.__gc = loop end),
      raw_gc = try(rawset, nango.json.array_mt, "__gc", loop),
      remeta = try(setmetatable, nango.json.array_mt, {}),
      unlock = try(nango.json.array, nango.json.object_mt),
      gc_table = try(setmetatable, {}, { __gc = loop }),
      gc_false = try(setmetatable, {}, { __gc = false }),
      marker_kept = getmetatable(nango.json.array()) == nango.json.array_mt,
      no_gc = rawget(nango.json.array_mt, "__gc") == nil and rawget(nango.json.object_mt, "__gc") == nil,
      rawset_ok = try(rawset, {}, "a", 1),
    }
  end)");
  json output = output_of("probe");
  const std::string locked = kLockedTableMessage;
  EXPECT_EQ(output["string_mt"], "locked");
  EXPECT_NE(output["array_gc"].get<std::string>().find(locked), std::string::npos) << output;
  EXPECT_NE(output["object_gc"].get<std::string>().find(locked), std::string::npos) << output;
  EXPECT_NE(output["raw_gc"].get<std::string>().find("rawset: " + locked), std::string::npos)
      << output;
  EXPECT_NE(output["remeta"].get<std::string>().find("cannot change a protected metatable"),
            std::string::npos) << output;
  EXPECT_NE(output["unlock"].get<std::string>().find("cannot change a protected metatable"),
            std::string::npos) << output;
  EXPECT_NE(output["gc_table"].get<std::string>().find("__gc metamethods are not available"),
            std::string::npos) << output;
  EXPECT_NE(output["gc_false"].get<std::string>().find("__gc metamethods are not available"),
            std::string::npos) << output;
  EXPECT_EQ(output["marker_kept"], true);
  EXPECT_EQ(output["no_gc"], true);
  EXPECT_EQ(output["rawset_ok"], "allowed");
}

TEST_F(HostileActions, FinalizerAttemptsEndAndTheRunnerKeepsServing) {
  options_.limits.cpu_time = std::chrono::milliseconds(300);
  make_runner();
  // Before: the finalizer attached through nango.json.array_mt ran with hooks off, forever,
  // at collectgarbage() or when the state was closed.
  write_action("gc", R"(return function(nango)
    local loop = function() while true do end end
    pcall(function() nango.json.array_mt.__gc = loop end)
    pcall(rawset, nango.json.array_mt, "__gc", loop)
    pcall(function() getmetatable("").__gc = loop end)
    for _ = 1, 100 do nango.json.array() end
    nango.json.decode("[[1], [2], []]")
    collectgarbage("collect")
    local refused = {}
    for _, option in ipairs({ "stop", "step", "incremental", "generational", "setpause" }) do
      refused[#refused + 1] = not pcall(collectgarbage, option)
    end
    return refused
  end)");
  EXPECT_EQ(output_of("gc"), (json{true, true, true, true, true}));
  write_action("ok", "return function() return 'fine' end");
  EXPECT_EQ(output_of("ok"), "fine");
}

TEST_F(HostileActions, LuaRunsOffTheTriggeringExecutor) {
  options_.limits.cpu_time = std::chrono::seconds(2);
  lua_threads_ = std::make_shared<BlockingPool>(2);
  make_runner();
  write_action("loop", "return function() while true do end end");
  boost::asio::io_context ioc;
  std::optional<steady_clock::time_point> ticked;
  std::optional<steady_clock::time_point> ended;
  ActionOutcome outcome;
  boost::asio::co_spawn(ioc, runner_->run({"jira", "u1"}, "loop", nullptr),
                        [&](std::exception_ptr, ActionOutcome o) {
                          outcome = std::move(o);
                          ended = steady_clock::now();
                        });
  boost::asio::steady_timer timer(ioc, std::chrono::milliseconds(50));
  timer.async_wait([&](boost::system::error_code) { ticked = steady_clock::now(); });
  ioc.run();
  ASSERT_TRUE(ticked && ended);
  // Before: the loop held the executor, so the timer fired only after the run's end.
  EXPECT_LT(*ticked, *ended);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->message, "the action exceeded its CPU time limit of 2 s");
  // The same runner still runs ordinary actions, and patterns, on those threads.
  write_action("ok", "return function() return ('a=1'):gsub('(%w+)=(%w+)', '%2=%1') end");
  EXPECT_EQ(output_of("ok"), "1=a");
}

int g_finalized = 0;
int count_finalizer(lua_State*) {
  ++g_finalized;
  return 0;
}

// Builds a state whose array marker was given a __gc behind the sandbox's back (raw, from C)
// and which holds one table marked with it, so the table is finalizable.
lua_State* state_with_finalizable_table() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  register_json_markers(L);
  push_array_marker(L);
  lua_pushliteral(L, "__gc");
  lua_pushcfunction(L, count_finalizer);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  push_json(L, json::array({1}));
  lua_setglobal(L, "kept");
  return L;
}

TEST(NeutraliseFinalizers, ClosingNeverRunsAFinalizerOnTheSandboxMetatables) {
  g_finalized = 0;
  lua_State* control = state_with_finalizable_table();
  lua_close(control);
  ASSERT_EQ(g_finalized, 1);  // the setup really makes a finalizer

  g_finalized = 0;
  lua_State* L = state_with_finalizable_table();
  EXPECT_TRUE(neutralise_finalizers(L));
  lua_close(L);
  EXPECT_EQ(g_finalized, 0);
}

}  // namespace
}  // namespace ferry::actions
