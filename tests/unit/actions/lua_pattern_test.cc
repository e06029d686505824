// The budgeted pattern functions against Lua's own: identical results and errors over
// hand-written edge cases and seeded random patterns; and matching that stops when told.

#include "ferry/actions/lua_pattern.h"

#include <gtest/gtest.h>
#include <lua.hpp>

#include <string>

namespace ferry::actions {
namespace {

// Compares stock.<f>(...) with ours.<f>(...) for every case and returns the differences,
// one line each. Arguments: stock, ours (library tables), cases ({f, args...} lists).
constexpr const char* kCompare = R"LUA(
local stock, ours, cases = ...
local function show(v)
  -- Argument errors name the function as found in the loaded libraries: "string.find" for
  -- stock, "?" for ours in this test's table (in the sandbox, both live in `string`).
  if type(v) == "string" then return string.format("%q", (v:gsub("to '[^']*'", "to '?'"))) end
  return tostring(v)
end
local function outcome(lib, name, args, n)
  local f = lib[name]
  if name == "gmatch" then
    -- Every value of the whole iteration, up to a bound.
    return table.pack(pcall(function()
      local out, iterator = {}, f(table.unpack(args, 1, n))
      for _ = 1, 200 do
        local r = table.pack(iterator())
        if r[1] == nil then break end
        for i = 1, r.n do out[#out + 1] = r[i] end
        out[#out + 1] = "|"
      end
      return table.concat(out, ",")
    end))
  end
  return table.pack(pcall(f, table.unpack(args, 1, n)))
end
local function describe(r)
  local parts = {}
  for i = 1, r.n do parts[i] = show(r[i]) end
  return table.concat(parts, ", ")
end
local differences = {}
for _, case in ipairs(cases) do
  local name, args = case[1], table.pack(table.unpack(case, 2, case.n))
  local a, b = outcome(stock, name, args, args.n), outcome(ours, name, args, args.n)
  local same = a.n == b.n
  for i = 1, math.max(a.n, b.n) do
    if show(a[i]) ~= show(b[i]) or math.type(a[i]) ~= math.type(b[i]) then same = false end
  end
  if not same then
    local shown = {}
    for i = 1, args.n do shown[i] = show(args[i]) end
    differences[#differences + 1] = name .. "(" .. table.concat(shown, ", ") .. "): stock {"
      .. describe(a) .. "} ours {" .. describe(b) .. "}"
  end
end
return table.concat(differences, "\n"), #cases
)LUA";

// Hand-written cases: {function, arguments...}. Replacement functions and tables are
// built in Lua so both sides get the same values.
constexpr const char* kEdgeCases = R"LUA(
local up = function(...) return (select(1, ...)):upper() end
local none = function() return nil end
local bad = function() return {} end
local pos = function(p) return p end
local map = { a = "A", b = false, hello = "HI", [1] = "one" }
local cases = {
  {"find", "hello world", "o w"}, {"find", "hello", "l+"}, {"find", "hello", ""},
  {"find", "hello", "", 10}, {"find", "hello", "", 6}, {"find", "hello", "", 7},
  {"find", "hello", "l", -2}, {"find", "hello", "l", -100}, {"find", "hello", "l", 0},
  {"find", "a.b", ".", 1, true}, {"find", "a+b", "+", 1, true}, {"find", "x", "[", 1, true},
  {"find", "abc", "b", nil, false}, {"find", "a\0b", "\0"}, {"find", "a\0b", "%z"},
  {"find", "a\0b", "[\0]"}, {"find", "abc", "^b"}, {"find", "abc", "^a"},
  {"find", "aaa", "^a-$"}, {"find", "abc", "c$"}, {"find", "a$c", "$c"},
  {"find", "abc", "()b()"}, {"find", "key = value", "(%w+)%s*=%s*(%w+)"},
  {"find", "THE (quick) fox", "%((%a+)%)"}, {"find", "f(a(b)c)d", "%b()"},
  {"find", "THE (quick fox", "%b()"}, {"find", "x", "%b"}, {"find", "x", "%bx"},
  {"find", "THE quick", "%f[%a]%a+"}, {"find", "hello", "%f[%l]"}, {"find", "hello", "%f[%z]"},
  {"find", "hello", "%f[^%z]"}, {"find", "hello", "%f"}, {"find", "hello", "%fa"},
  {"find", "hello", "%"}, {"find", "hello", "[a"}, {"find", "hello", "[]"},
  {"find", "a]b", "[]]"}, {"find", "a]b", "[^]]"}, {"find", "a-b", "[a-]"},
  {"find", "a-b", "[-a]"}, {"find", "b", "[a-c]"}, {"find", "%", "[%%]"},
  {"find", "]", "[%]]"}, {"find", "x", "[%"}, {"find", "x", "[^"}, {"find", "x", "[^%"},
  {"find", "abab", "(ab)%1"}, {"find", "abab", "%1(ab)"}, {"find", "abab", "(ab%1)"},
  {"find", "abab", "(ab)%2"}, {"find", "abab", "(ab)%0"}, {"find", "aa", "()%1"},
  {"find", "abc", "(a"}, {"find", "abc", "a)"}, {"find", "abc", "(()"},
  {"find", "abc", "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))"},
  {"find", "abc", "(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))"},
  {"find", "aaa", "a*"}, {"find", "aaa", "a-"}, {"find", "aaa", "a-$"}, {"find", "aaa", "a?a?a?a"},
  {"find", "", "a*"}, {"find", "", ""}, {"find", "", "^$"}, {"find", "", "$"},
  {"find", "x", "*"}, {"find", "x", "+"}, {"find", "x", "?x"}, {"find", "x", "-"},
  {"find", 12345, 3}, {"find", "x", {}}, {"find", {}, "x"}, {"find", "x", "x", "y"},
  {"find", "x", "x", 1.5}, {"find", "x"},
  {"match", "hello world", "%w+"}, {"match", "hello world", "(%w+) (%w+)"},
  {"match", "  trim  ", "^%s*(.-)%s*$"}, {"match", "2024-01-02", "(%d+)-(%d+)-(%d+)"},
  {"match", "abc", "()"}, {"match", "abc", "()", 4}, {"match", "abc", "()", 5},
  {"match", "abc", "(a)(b)(c)"}, {"match", "abc", "%a%A"}, {"match", "a1 ;", "%W"},
  {"match", "\t\n x", "%S"}, {"match", "abcXYZ", "%u+"}, {"match", "abcXYZ", "%L+"},
  {"match", "0x1F", "%x+", 3}, {"match", "a\1b", "%c"}, {"match", "a b", "%g+"},
  {"match", "a,b", "%p"}, {"match", "a,b", "%P+"}, {"match", "x", "%q"}, {"match", "x", "%x"},
  {"match", "[x]", "%[(.)%]"}, {"match", "\255\128", "[\128-\255]+"},
  {"match", string.rep("a", 300), string.rep("a?", 300)},
  {"match", string.rep("a", 20), string.rep("a?", 10) .. string.rep("a", 10)},
  {"match", string.rep("a", 190), string.rep("a?", 190)},
  {"gmatch", "one two three", "%a+"}, {"gmatch", "k=v, a=b", "(%w+)=(%w+)"},
  {"gmatch", "abc", ""}, {"gmatch", "abc", "()"}, {"gmatch", "abc", "^a"}, {"gmatch", "^a^a", "^a"},
  {"gmatch", "abc", "a*"}, {"gmatch", "aaa", "a-"}, {"gmatch", "abc", "%a", 2},
  {"gmatch", "abc", "%a", -1}, {"gmatch", "abc", "%a", 10}, {"gmatch", "abc", "", 4},
  {"gmatch", "abc", "(", 1}, {"gmatch", "abc", "%"},
  {"gsub", "hello world", "o", "0"}, {"gsub", "hello world", "o", "0", 1},
  {"gsub", "hello world", "o", "0", 0}, {"gsub", "hello world", "o", "0", -1},
  {"gsub", "hello", "", "-"}, {"gsub", "hello", "l*", "-"}, {"gsub", "abc", "^", ">"},
  {"gsub", "abc", "$", "<"}, {"gsub", "abc", "^a", "A"}, {"gsub", "abc", "^b", "B"},
  {"gsub", "hello world", "(%w+)", "<%1>"}, {"gsub", "hello world", "%w+", "%0 %0"},
  {"gsub", "hello", "l", "%%"}, {"gsub", "hello", "l", "%"}, {"gsub", "hello", "l", "%x"},
  {"gsub", "hello", "l", "%1"}, {"gsub", "hello", "l", "%2"}, {"gsub", "hello", "(l)", "%2"},
  {"gsub", "hello", "()l", "%1"}, {"gsub", "hello", "(h)(e)", "%2%1"}, {"gsub", "abc", "b", 7},
  {"gsub", "abc", "b", 1.5}, {"gsub", "abc", "b", true}, {"gsub", "abc", "b"},
  {"gsub", "hello world", "%w+", up}, {"gsub", "hello", "l", none}, {"gsub", "hello", "l", bad},
  {"gsub", "hello", "()l", pos}, {"gsub", "a b c", "%a", map}, {"gsub", "hello", "%w+", map},
  {"gsub", "x", "x", map}, {"gsub", "abc", "(a)(b)", up}, {"gsub", "abc", "(", "x"},
  {"gsub", "abc", "%f[%a]", "|"}, {"gsub", "f(a(b)) g(c)", "%b()", "[]"},
  {"gsub", "abc", "b", "x", "y"}, {"gsub", "abc", "b", "x", 2.5}, {"gsub", "", "", "x"},
  {"gsub", "abc", "", "%0"}, {"gsub", "abc", ".", {a = 1, b = 2.5}},
}
for _, case in ipairs(cases) do case.n = #case end
-- Arguments that are nil in the middle need an explicit count.
cases[#cases + 1] = {"find", "abc", "b", nil, true, n = 5}
cases[#cases + 1] = {"gsub", "abc", "b", "x", nil, n = 5}
return cases
)LUA";

// Seeded random patterns and subjects over an alphabet that reaches every feature.
constexpr const char* kRandomCases = R"LUA(
local seed, count = ...
math.randomseed(seed)
local atoms = { "a", "b", "c", ".", "%a", "%d", "%s", "%w", "%A", "%W", "%p", "%x", "[ab]",
  "[^a]", "[a-c]", "[%d%s]", "%f[%w]", "%f[%W]", "%b()", "(", ")", "()", "%1", "%2", "*",
  "+", "-", "?", "^", "$", "%", "[", "]", "1", " ", "%(", "%.", "[]]", "%b" }
local letters = { "a", "b", "c", "a", "b", "(", ")", " ", "1", "2", "x", ".", "%", "\0" }
local replacements = { "<%0>", "%1", "[%2]", "%%", "x", "%", "%9" }
local functions = { "find", "match", "gmatch", "gsub" }
local function pick(list) return list[math.random(#list)] end
local function build(list, most)
  local parts = {}
  for i = 1, math.random(0, most) do parts[i] = pick(list) end
  return table.concat(parts)
end
local cases = {}
for i = 1, count do
  local name = pick(functions)
  local subject, pattern = build(letters, 14), build(atoms, 6)
  local case
  if name == "gsub" then
    case = { name, subject, pattern, pick(replacements), n = 4 }
  elseif name == "find" and math.random(4) == 1 then
    case = { name, subject, pattern, math.random(-3, 5), math.random(2) == 1, n = 5 }
  elseif math.random(3) == 1 then
    case = { name, subject, pattern, math.random(-3, 16), n = 4 }
  else
    case = { name, subject, pattern, n = 3 }
  end
  cases[i] = case
end
return cases
)LUA";

class LuaPattern : public ::testing::Test {
 protected:
  void SetUp() override {
    L_ = luaL_newstate();
    ASSERT_NE(L_, nullptr);
    luaL_openlibs(L_);
    lua_getglobal(L_, "string");
    lua_setglobal(L_, "stock");
    lua_newtable(L_);
    install_budgeted_patterns(L_, -1, nullptr);
    lua_setglobal(L_, "ours");
  }
  void TearDown() override { lua_close(L_); }

  // Runs `chunk` with `arguments` pushed by the caller; leaves its results on the stack.
  void run(const char* chunk, int arguments, int results) {
    ASSERT_EQ(luaL_loadstring(L_, chunk), LUA_OK) << lua_tostring(L_, -1);
    lua_insert(L_, -arguments - 1);
    ASSERT_EQ(lua_pcall(L_, arguments, results, 0), LUA_OK) << lua_tostring(L_, -1);
  }

  // Compares both libraries over the case list on the top of the stack.
  void compare(int minimum_cases) {
    lua_getglobal(L_, "stock");
    lua_getglobal(L_, "ours");
    lua_rotate(L_, -3, 2);  // stock, ours, cases
    run(kCompare, 3, 2);
    EXPECT_GE(lua_tointeger(L_, -1), minimum_cases);
    EXPECT_STREQ(lua_tostring(L_, -2), "");
    lua_pop(L_, 2);
  }

  lua_State* L_ = nullptr;
};

TEST_F(LuaPattern, EdgeCasesMatchLuasOwnFunctions) {
  run(kEdgeCases, 0, 1);
  compare(150);
}

TEST_F(LuaPattern, RandomPatternsMatchLuasOwnFunctions) {
  for (int seed : {1, 2, 3}) {
    lua_pushinteger(L_, seed);
    lua_pushinteger(L_, 400);
    run(kRandomCases, 2, 1);
    compare(400);
  }
}

// A stop check that refuses after a fixed number of checks, counted per state.
int g_checks_left = 0;
const char* stop_after_checks(lua_State*) {
  return --g_checks_left < 0 ? "the action exceeded its CPU time limit of 1 s" : nullptr;
}
constexpr PatternLimits kStopAfterChecks{stop_after_checks};

TEST_F(LuaPattern, PathologicalPatternsStopWhenTheLimitSaysSo) {
  lua_newtable(L_);
  install_budgeted_patterns(L_, -1, &kStopAfterChecks);
  lua_setglobal(L_, "limited");
  const char* pathological[] = {
      "return limited.find(string.rep('a', 200000), '.-.-.-.-.-.-b')",
      "return limited.match(('a'):rep(1e5), ('a*'):rep(20) .. 'b')",
      "return limited.gsub(('a'):rep(1e5), ('a*'):rep(20) .. 'b', 'x')",
      "for m in limited.gmatch(('a'):rep(1e5), ('a-'):rep(20) .. 'b') do end",
      "return limited.find(('('):rep(1e5), '%b()')",
      "return limited.find(('ab'):rep(3e4), '(.-)%1%1%1b$')",
  };
  for (const char* chunk : pathological) {
    g_checks_left = 1000;  // 1000 x kPatternStepsPerCheck steps: far less than these need
    ASSERT_EQ(luaL_loadstring(L_, chunk), LUA_OK) << chunk;
    ASSERT_EQ(lua_pcall(L_, 0, 0, 0), LUA_ERRRUN) << chunk;
    const std::string message = lua_tostring(L_, -1);
    EXPECT_NE(message.find("the action exceeded its CPU time limit of 1 s"), std::string::npos)
        << chunk << ": " << message;
    EXPECT_LT(g_checks_left, 0) << chunk;
    lua_pop(L_, 1);
  }
  // An ordinary match spends far less than one check's worth of steps.
  g_checks_left = 0;
  ASSERT_EQ(luaL_loadstring(L_, "return limited.match('key = value', '(%w+)%s*=%s*(%w+)')"),
            LUA_OK);
  ASSERT_EQ(lua_pcall(L_, 0, 2, 0), LUA_OK) << lua_tostring(L_, -1);
  EXPECT_STREQ(lua_tostring(L_, -1), "value");
}

}  // namespace
}  // namespace ferry::actions
