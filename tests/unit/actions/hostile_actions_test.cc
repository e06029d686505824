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

TEST_F(HostileActions, LibraryCallsStayWithinTheMemoryLimit) {
  options_.limits.memory_bytes = 8 * 1024 * 1024;
  make_runner();
  const std::string limit = "the action exceeded its memory limit of 8 MiB";
  for (const char* body : {
           "return string.rep('ab', 1 << 29)",
           "return string.rep('x', 1 << 20, string.rep(',', 100))",
           "local t = {} for i = 1, 5e3 do t[i] = string.rep('y', 1000) end "
           "return table.concat(t, ',')",
           "return (string.rep('x', 1e6):gsub('.', '%0%0%0%0%0%0%0%0%0%0'))",
           "local s = string.rep('x', 1 << 20) return string.format('%s%s%s%s%s%s%s%s%s', s, s, "
           "s, s, s, s, s, s, s)",
           "return nango.json.encode({ string.rep('z', 6 * 1024 * 1024) })",
       }) {
    write_action("bomb", std::string("return function(nango) ") + body + " end");
    EXPECT_EQ(failure_of("bomb"), limit) << body;
  }
  // A count too large to be a string at all fails cleanly, with Lua's message.
  write_action("huge", "return function() return string.rep('xx', math.maxinteger) end");
  EXPECT_NE(failure_of("huge").find("resulting string too large"), std::string::npos);
  write_action("ok", "return function() return 'fine' end");
  EXPECT_EQ(output_of("ok"), "fine");
}

TEST_F(HostileActions, EmptyRepeatsAndLongMovesAreBounded) {
  options_.limits.cpu_time = std::chrono::milliseconds(300);
  make_runner();
  // Before: each looped in C for hours, out of the hook's reach.
  write_action("rep", "return function() return #string.rep('', 1e15) + #string.rep('', 1e15, '') end");
  EXPECT_EQ(output_of("rep"), 0);
  write_action("move", "return function() table.move({}, 1, 1e12, 2) end");
  EXPECT_EQ(failure_of("move"), "the action exceeded its CPU time limit of 300 ms");
  // Long moves still move what stock table.move moves, overlapping either way.
  write_action("moves", R"(return function()
    local function range(n) local t = {} for i = 1, n do t[i] = i end return t end
    local up, down = range(200000), range(200000)
    table.move(up, 1, 150000, 50001)
    table.move(down, 50001, 200000, 1)
    local copy = table.move(up, 1, 100000, 1, {})
    return { up[50000], up[50001], up[200000], down[1], down[150000], down[150001],
             #copy, copy[100000], select("#", table.move({}, 5, 1, 1)) }
  end)");
  EXPECT_EQ(output_of("moves"), (json{50000, 1, 150000, 50001, 200000, 150001, 100000, 50000, 1}));
  write_action("badmove", "return function() return table.move({}, -1, math.maxinteger, 1) end");
  EXPECT_NE(failure_of("badmove").find("too many elements to move"), std::string::npos);
}

TEST_F(HostileActions, SortComparatorsAreStoppedByTheCpuLimit) {
  options_.limits.cpu_time = std::chrono::milliseconds(300);
  make_runner();
  for (const char* body : {
           "local t = {} for i = 1, 1000 do t[i] = i end "
           "table.sort(t, function(a, b) while true do end end)",
           "local t = {} for i = 1, 2e5 do t[i] = -i end "
           "while true do table.sort(t, function(a, b) return a > b end) end",
       }) {
    write_action("sort", std::string("return function(nango) ") + body + " end");
    EXPECT_EQ(failure_of("sort"), "the action exceeded its CPU time limit of 300 ms") << body;
  }
}

TEST_F(HostileActions, JsonNestingLimitIsExactlyTwoHundredBothWays) {
  write_action("decode", R"(return function(nango, input)
    local ok, value = pcall(nango.json.decode, string.rep("[", input.depth) .. string.rep("]", input.depth))
    return { ok = ok }
  end)");
  EXPECT_EQ(output_of("decode", {{"depth", 200}}), (json{{"ok", true}}));
  EXPECT_EQ(output_of("decode", {{"depth", 201}}), (json{{"ok", false}}));
  write_action("encode", R"(return function(nango, input)
    local t = {}
    for _ = 2, input.depth do t = { t } end
    local ok, err = pcall(nango.json.encode, t)
    return { ok = ok, err = err and tostring(err) or nango.json.null }
  end)");
  json deep = output_of("encode", {{"depth", 200}});
  EXPECT_EQ(deep["ok"], true) << deep;
  deep = output_of("encode", {{"depth", 201}});
  EXPECT_EQ(deep["ok"], false) << deep;
  EXPECT_NE(deep["err"].get<std::string>().find("nested deeper than 200 levels"),
            std::string::npos) << deep;
}

TEST_F(HostileActions, JsonOfLargeValuesIsBoundedByTheMemoryLimit) {
  options_.limits.memory_bytes = 8 * 1024 * 1024;
  make_runner();
  // Encoding: the C++ copy is refused once it would pass the limit, before it is built;
  // here 100 references to one 100 kB string would be 10 MB of JSON.
  write_action("encode", R"(return function(nango)
    local t, s = {}, string.rep("q", 100000)
    for i = 1, 100 do t[i] = s end
    local ok, err = pcall(nango.json.encode, t)
    return { ok = ok, err = tostring(err) }
  end)");
  json encoded = output_of("encode");
  EXPECT_EQ(encoded["ok"], false) << encoded;
  EXPECT_NE(encoded["err"].get<std::string>().find("too large to convert to JSON"),
            std::string::npos) << encoded;
  // Decoding: text that cannot fit in what the run has left is refused before parsing
  // (the text itself takes more than half of the limit; string.rep alone would need twice
  // its result, so it is built in halves).
  write_action("decode", R"(return function(nango)
    local half = string.rep(" ", 5 * 512 * 1024)
    local text = half .. half
    half = nil
    collectgarbage("collect")
    local ok, err = pcall(nango.json.decode, text)
    return { ok = ok, err = tostring(err) }
  end)");
  json decoded = output_of("decode");
  EXPECT_EQ(decoded["ok"], false) << decoded;
  EXPECT_NE(decoded["err"].get<std::string>().find("larger than the action's remaining memory"),
            std::string::npos) << decoded;
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
